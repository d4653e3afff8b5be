// Renders single frames on demand (previews, tests): one compositor slot, synchronous.
#pragma once
#include <memory>
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

 private:
  void run(int64_t frame, bool rgba, bool nv12);
  std::shared_ptr<const Timeline> tl_;
  FrameFeeder feeder_;
  std::unique_ptr<Compositor> compositor_;
};

}  // namespace reelforge
