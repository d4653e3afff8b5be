// GPU side of rendering, as a sequence of passes per frame (pass.h): ConvertPass turns video
// planes into RGBA8 textures, CompositePass composites the canvas's tile groups straight into
// NV12 and/or RGBA8 readback buffers. A ring of `slots` lets several frames be in flight: each
// FrameSlot owns its command buffer, fence, descriptors, pooled images and outputs; each pass
// owns its pipelines and its per-slot buffers.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "gpu/composite_pass.h"
#include "gpu/convert_pass.h"
#include "gpu/effects/effect_chain.h"
#include "gpu/frame_slot.h"
#include "gpu/generated_pass.h"
#include "gpu/layers.h"
#include "gpu/render_graph.h"
#include "gpu/static_images.h"

namespace reelforge {

class Compositor {
 public:
  Compositor(std::shared_ptr<VkContext> ctx, int width, int height, std::array<float, 4> background,
             std::vector<LayerSource> sources, int slots, bool rgba_readback);
  ~Compositor();

  int slots() const { return int(slots_.size()); }
  // Records and submits one frame into `slot` (waiting for it first if it is in flight). Copies
  // video planes before returning, so the AVFrames may be released afterwards.
  void submit(int slot, const std::vector<LayerDraw>& draws, bool want_rgba, bool want_nv12);
  // Waits until the slot's frame is done; its readback pointers are valid until the next submit.
  void wait(int slot);

  const uint8_t* rgba(int slot) const;  // premultiplied RGBA8, rgba_stride() bytes per row
  int rgba_stride() const { return row_pixels_ * 4; }
  const uint8_t* nv12(int slot) const;  // Y plane (nv12_stride() x height), then interleaved CbCr (height/2 rows)
  int nv12_stride() const { return row_pixels_; }
  const std::string& device_name() const { return ctx_->name; }
  uint64_t generated_uploads() const { return generated_.uploads(); }  // generated pictures uploaded
  uint64_t video_conversions() const { return convert_.conversions(); }  // video frames converted
  uint64_t image_uploads() const { return static_images_.uploads(); }  // image-layer pictures uploaded
  size_t images_resident() const { return static_images_.resident(); }  // image-layer pictures on the GPU now

 private:
  static CommandPool make_command_pool(const VkContext& ctx);

  std::shared_ptr<VkContext> ctx_;
  int width_, height_;
  int row_pixels_;  // row stride of the outputs in pixels: width rounded up to whole 16-pixel blocks
  std::vector<LayerSource> sources_;
  bool rgba_readback_;
  CommandPool cmd_pool_;
  StaticImages static_images_;
  ConvertPass convert_;
  GeneratedPass generated_;
  CompositePass composite_;
  RenderGraph graph_;
  std::vector<std::unique_ptr<FrameSlot>> slots_;  // last: destroyed (waited for) first
};

}  // namespace reelforge
