// What makes a layer a node of the render graph (src/gpu/render_graph.h): nested content
// (a nested scene or a group), a mask, rounded corners and a border. Layers with none of these
// are drawn straight in the final tiled pass. Pure data, filled by Scene.compile().
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

namespace reelforge {

struct Timeline;
struct Layer;

constexpr int kMaxNesting = 16;  // nested scenes, groups and masks, inside one another

// How a mask layer's pixels become the matte (W3C CSS Masking Level 1, mask-mode).
enum class MaskMode { Alpha = 0, Luma = 1 };

struct LayerGraph {
  // Composition layers (LayerKind::Composition): the nested timeline rendered at its own size
  // (a nested scene, or a group: the parent's size, fps and frame numbers, transparent).
  std::shared_ptr<const Timeline> composition;
  // The nested timeline's frame shown at each of the layer's frames (1 value: the same for all).
  std::vector<int64_t> composition_frames;

  // Masked layers: a timeline of the parent's size and frame numbering holding the mask
  // layer(s), drawn in the parent's canvas space; its alpha or luminance multiplies the layer.
  std::shared_ptr<const Timeline> mask;
  MaskMode mask_mode = MaskMode::Alpha;
  bool mask_invert = false;

  // Per-frame tables over the layer's frames (1 or end_frame - start_frame values, or empty:
  // 0 for every frame), in layer-local pixels; see LayerTrack.
  std::vector<float> mask_feather;   // standard deviation of the matte's Gaussian softening
  std::vector<float> corner_radius;  // rounded corners of the visible rectangle
  std::vector<float> border_width;   // border inside the visible rectangle
  std::vector<float> border_r, border_g, border_b, border_a;  // straight RGBA 0..1 (empty: opaque black)

  bool empty() const {
    return !composition && !mask && corner_radius.empty() && border_width.empty();
  }
};

// Throws InputError naming the layer for inconsistent graph data (nested timelines included).
void validate_graph(const Layer& layer, const Timeline& parent, int depth);

}  // namespace reelforge
