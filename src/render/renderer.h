// Renders single frames on demand (previews, tests): one compositor slot, synchronous.
// Thread-safe: calls from several threads are serialised (the decoders and the slot are shared).
#pragma once
#include <memory>
#include <mutex>
#include <vector>

#include "gpu/compositor.h"
#include "render/frame_feeder.h"

namespace reelforge {

class Renderer {
 public:
  explicit Renderer(std::shared_ptr<const Timeline> timeline);
  const std::string& device_name() const { return compositor_->device_name(); }
  // Premultiplied RGBA8, height x width x 4.
  std::vector<uint8_t> render_rgba(int64_t frame);
  // NV12: Y plane (height x width) and interleaved CbCr (height/2 x width), tightly packed.
  void render_nv12(int64_t frame, std::vector<uint8_t>& y, std::vector<uint8_t>& uv);
  const Timeline& timeline() const { return *tl_; }
  uint64_t generated_uploads();  // generated-layer pictures uploaded so far (reuse tests)
  uint64_t video_conversions();  // decoded video frames uploaded and converted so far (reuse tests)
  uint64_t image_uploads();      // image-layer pictures uploaded so far (lazy upload tests)
  size_t images_resident();      // image-layer pictures on the GPU after the last render

 private:
  void run(int64_t frame, bool rgba, bool nv12);
  std::shared_ptr<const Timeline> tl_;
  FrameFeeder feeder_;
  std::unique_ptr<Compositor> compositor_;
  std::mutex mutex_;  // held for a whole render: feeder_, compositor_ and its readback buffers
};

}  // namespace reelforge
