// GPU side of rendering: uploads layer sources, composites them (composite.comp), converts to NV12
// (rgba_to_nv12.comp) and reads back. A ring of `slots` lets several frames be in flight: each
// slot owns its upload staging, plane images, output image, readback buffers, command buffer and fence.
#pragma once
#include <map>
#include <tuple>
#include <memory>
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
  // Records and submits one frame into `slot` (which must not be in flight). Copies video planes
  // before returning, so the AVFrames may be released afterwards.
  void submit(int slot, const std::vector<LayerDraw>& draws, bool want_rgba, bool want_nv12);
  // Waits until the slot's frame is done; its readback pointers are valid until the next submit.
  void wait(int slot);

  const uint8_t* rgba(int slot) const;  // premultiplied RGBA8, stride width*4
  const uint8_t* nv12(int slot) const;  // Y plane (nv12_stride() x height), then interleaved CbCr (height/2 rows)
  int nv12_stride() const { return nv12_stride_; }
  const std::string& device_name() const { return ctx_->name; }

 private:
  struct Slot;
  void create_layout();
  VkPipeline pipeline(int kind, int blend, bool first);  // composite.comp specialised; cached
  Pipeline build_pipeline(shaders::Spirv code, int kind, int blend, bool first = false);
  void upload_static_images();
  void write_descriptors(Slot& s, size_t set_index, int layer);

  std::shared_ptr<VkContext> ctx_;
  int width_, height_, nv12_stride_;
  std::array<float, 4> background_;
  std::vector<LayerSource> sources_;
  bool rgba_readback_;
  VkDeviceSize params_stride_ = 256;  // LayerParams size rounded up to the UBO offset alignment

  Sampler sampler_;
  DescriptorSetLayout set_layout_;
  PipelineLayout pipeline_layout_;
  Pipeline clear_, to_nv12_, to_rgba8_, yuv_to_rgba_[2];  // [0] yuv, [1] yuva
  std::map<std::tuple<int, int, bool>, Pipeline> composite_;
  DescriptorPool pool_;
  CommandPool cmd_pool_;
  Image dummy_, dummy_storage_;  // fill unused sampled / storage image bindings
  std::vector<Image> static_images_;  // per layer (empty for non-image layers)
  std::vector<std::unique_ptr<Slot>> slots_;
};

}  // namespace reelforge
