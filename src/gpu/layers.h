// What the GPU side is told about layers: each layer's source (fixed for a render) and each
// drawn layer of a frame.
#pragma once
#include <array>
#include <memory>
#include <vector>

#include "media/orientation.h"
#include "timeline/frame_state.h"
#include "timeline/timeline.h"

struct AVFrame;

namespace reelforge {

// Static description of each timeline layer's source, fixed for the whole render.
struct LayerSource {
  LayerKind kind = LayerKind::Solid;
  std::shared_ptr<const RgbaImage> image;  // Image layers
  int video_width = 0, video_height = 0;   // Video layers: decoded (coded) size (even)
  bool video_alpha = false;
  Orientation orientation;                 // Video layers: how the decoded picture is displayed
  std::vector<Effect> effects;             // the layer's effect chain (gpu/effects/effect_chain.h)
};

// One active layer at one frame.
struct LayerDraw {
  int layer = 0;  // index into the LayerSource list
  LayerPlacement place;
  BlendMode blend = BlendMode::Normal;
  std::array<float, 4> color{1, 1, 1, 1};  // Solid: straight RGBA 0..1
  const AVFrame* video = nullptr;          // Video: yuv420p / yuvj420p / yuva420p frame
  int64_t local_frame = 0;                 // frame - the layer's start_frame (effect parameter tables)
};

}  // namespace reelforge
