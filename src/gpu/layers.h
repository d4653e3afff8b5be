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
  LayerKind kind = LayerKind::Solid;       // Generated for every layer with a generator
  std::shared_ptr<const RgbaImage> image;  // Image layers
  int video_width = 0, video_height = 0;   // Video layers: decoded (coded) size (even)
  bool video_alpha = false;
  Orientation orientation;                 // Video layers: how the decoded picture is displayed
  std::vector<Effect> effects;             // the layer's effect chain (gpu/effects/effect_chain.h)
  // Render-graph nodes (render_graph.h): the sources of a composition's nested timeline and of a
  // mask's timeline, and those timelines (size, background, mask mode).
  std::vector<LayerSource> children, mask;
  std::shared_ptr<const Timeline> composition, mask_timeline;
  MaskMode mask_mode = MaskMode::Alpha;
  bool mask_invert = false;
  // A transition's entry (after the timeline's layers, one per transition): its shader and values.
  std::shared_ptr<const Transition> transition;
};

// Per-frame style of a drawn layer, in layer-local pixels (composite.comp's styled path).
struct LayerStyle {
  float corner_radius = 0.0f, border_width = 0.0f;
  std::array<float, 4> border_color{0, 0, 0, 1};  // straight RGBA 0..1
  bool active() const { return corner_radius > 0.0f || border_width > 0.0f; }
};

// One active layer at one frame.
struct LayerDraw {
  int layer = 0;  // index into the LayerSource list
  LayerPlacement place;
  BlendMode blend = BlendMode::Normal;
  std::array<float, 4> color{1, 1, 1, 1};  // Solid: straight RGBA 0..1
  const AVFrame* video = nullptr;          // Video: yuv420p / yuvj420p / yuva420p frame
  int64_t local_frame = 0;                 // frame - the layer's start_frame (effect parameter tables)
  LayerStyle style;
  // Render-graph nodes: a composition's nested draws (its timeline's frame, in its own canvas
  // space), a masked layer's mask draws (the parent's canvas space), bottom to top.
  std::vector<LayerDraw> children, mask;
  bool composition = false;   // a composition layer: its texture is rendered from `children`
  bool masked = false;        // `mask` (possibly empty at this frame: nothing shows) applies
  float mask_feather = 0.0f;  // layer-local pixels
  // Needs the render graph before the final pass (effects add their own condition here).
  bool effects = false;       // the layer has effects (EffectsHook)
  // A transition during its overlap (timeline/transition.h): the two layers' draws (none when a
  // side draws nothing at this frame), blended at `progress` into a canvas-sized texture; this
  // draw's placement covers the canvas, its source is the transition's entry.
  std::vector<LayerDraw> from, to;
  bool transition = false;
  float progress = 0.0f;
  bool node() const { return composition || masked || effects || transition; }
  std::shared_ptr<const RgbaImage> picture;  // Generated: this frame's picture (GeneratedPass uploads it)
};

}  // namespace reelforge
