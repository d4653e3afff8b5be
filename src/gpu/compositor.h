// GPU side of rendering. Per frame: video planes are uploaded and converted to RGBA8 at their own
// size (yuv_to_rgba.comp); the canvas's tiles are grouped by the layers that touch them
// (tiling.h); each group is composited in one pass (composite.comp) that writes NV12 and/or RGBA8
// straight into the readback buffers. A ring of `slots` lets several frames be in flight: each
// slot owns its staging, converted images, readback buffers, descriptors, command buffer and fence.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gpu/shaders.h"
#include "gpu/vk_resources.h"
#include "timeline/frame_state.h"
#include "timeline/timeline.h"

struct AVFrame;

namespace reelforge {

// Static description of each timeline layer's source, fixed for the whole render.
struct LayerSource {
  LayerKind kind = LayerKind::Solid;
  std::shared_ptr<const RgbaImage> image;  // Image layers
  int video_width = 0, video_height = 0;   // Video layers: decoded size (even)
  bool video_alpha = false;
};

// One active layer at one frame.
struct LayerDraw {
  int layer = 0;  // index into the LayerSource list
  LayerPlacement place;
  BlendMode blend = BlendMode::Normal;
  std::array<float, 4> color{1, 1, 1, 1};  // Solid: straight RGBA 0..1
  const AVFrame* video = nullptr;          // Video: yuv420p / yuvj420p / yuva420p frame
};

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

 private:
  struct Slot;
  struct Pass;
  void create_layouts();
  Pipeline build_pipeline(shaders::Spirv code, VkPipelineLayout layout, const std::vector<int32_t>& spec);
  VkPipeline composite_pipeline(const std::vector<int32_t>& spec);  // cached by specialisation
  VkPipeline convert_pipeline(bool alpha, int div);                  // yuv_to_rgba.comp, cached
  void upload_static_images();
  void ensure_descriptor_capacity(Slot& s, uint32_t sets);

  std::shared_ptr<VkContext> ctx_;
  int width_, height_;
  int row_pixels_;  // row stride of the outputs in pixels: width rounded up to whole 16-pixel blocks
  std::array<float, 4> background_;
  std::vector<LayerSource> sources_;
  std::vector<bool> opaque_image_;  // per layer: an Image layer whose pixels all have alpha 255
  bool rgba_readback_;
  VkDeviceSize params_stride_ = 512;  // one pass's LayerParams block, rounded up to the UBO offset alignment

  Sampler sampler_;
  DescriptorSetLayout tile_set_layout_, convert_set_layout_;
  PipelineLayout tile_layout_, convert_layout_;
  Pipeline convert_[2][3];  // yuv_to_rgba.comp by [alpha][DIV 1, 2, 4], built when first needed
  std::map<std::vector<int32_t>, Pipeline> composite_;
  CommandPool cmd_pool_;
  Image dummy_;                      // fills unused texture bindings
  Buffer dummy_buffer_;              // fills unused storage-buffer bindings
  std::vector<Image> static_images_;  // per layer (empty for non-image layers)
  std::vector<std::unique_ptr<Slot>> slots_;
};

}  // namespace reelforge
