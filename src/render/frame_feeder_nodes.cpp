// FrameFeeder's part for render-graph nodes: nested timelines (compositions, groups) and masks
// are fed by FrameFeeders of their own, recursively; styles come from the layer's tables;
// transitions take their two layers' draws during the overlap.
#include <algorithm>

#include "render/frame_feeder.h"

namespace reelforge {

namespace {
float at(const std::vector<float>& v, size_t k, float fallback) {
  return v.empty() ? fallback : v.size() == 1 ? v[0] : v[k];
}
}  // namespace

void FrameFeeder::open_nodes() {
  children_.resize(tl_.layers.size());
  masks_.resize(tl_.layers.size());
  for (size_t i = 0; i < tl_.layers.size(); ++i) {
    const LayerGraph& g = tl_.layers[i].graph;
    if (g.composition) children_[i] = std::make_unique<FrameFeeder>(*g.composition);
    if (g.mask) masks_[i] = std::make_unique<FrameFeeder>(*g.mask);
  }
}

void FrameFeeder::node_sources(size_t i, LayerSource& out) const {
  const LayerGraph& g = tl_.layers[i].graph;
  if (children_[i]) out.children = children_[i]->layer_sources(), out.composition = g.composition;
  if (masks_[i]) out.mask = masks_[i]->layer_sources(), out.mask_timeline = g.mask;
  out.mask_mode = g.mask_mode;
  out.mask_invert = g.mask_invert;
}

void FrameFeeder::feed_node(size_t i, int64_t frame, LayerDraw& d, FrameInputs& in) {
  const Layer& l = tl_.layers[i];
  const LayerGraph& g = l.graph;
  const size_t k = size_t(frame - l.start_frame);
  d.style.corner_radius = at(g.corner_radius, k, 0.0f);
  d.style.border_width = at(g.border_width, k, 0.0f);
  d.style.border_color = {at(g.border_r, k, 0.0f), at(g.border_g, k, 0.0f), at(g.border_b, k, 0.0f),
                          std::clamp(at(g.border_a, k, 1.0f), 0.0f, 1.0f)};
  auto take = [&in](FrameInputs&& sub, std::vector<LayerDraw>& to) {
    to = std::move(sub.draws);
    for (auto& r : sub.refs) in.refs.push_back(std::move(r));
  };
  if (children_[i]) {
    d.composition = true;
    const auto& frames = g.composition_frames;
    take(children_[i]->frame(frames.size() == 1 ? frames[0] : frames[k]), d.children);
  }
  if (masks_[i]) {
    d.masked = true;
    d.mask_feather = at(g.mask_feather, k, 0.0f);
    take(masks_[i]->frame(frame), d.mask);
  }
}

void FrameFeeder::feed_transitions(int64_t frame, FrameInputs& in) const {
  for (size_t k = 0; k < tl_.transitions.size(); ++k) {
    const Transition& t = tl_.transitions[k];
    if (!t.active(frame)) continue;
    auto find = [&in](int layer) {
      return std::find_if(in.draws.begin(), in.draws.end(), [layer](const LayerDraw& d) { return d.layer == layer; });
    };
    auto a = find(t.from), b = find(t.to);
    if (a == in.draws.end() && b == in.draws.end()) continue;  // neither side draws anything
    LayerDraw node;
    node.layer = int(tl_.layers.size() + k);
    node.transition = true;
    node.progress = t.progress_at(frame);
    const float w = float(tl_.width), h = float(tl_.height);
    node.place.inv = {1, 0, 0, 0, 1, 0};
    node.place.size = {w, h};
    node.place.clip = {0, 0, w, h};
    node.place.bounds = {0, 0, w, h};
    // Drawn at `from`'s place in the stack (or `to`'s when `from` draws nothing now).
    const bool at_a = a != in.draws.end();
    if (at_a) node.from.push_back(std::move(*a));
    if (b != in.draws.end()) node.to.push_back(std::move(*b));
    const auto at = at_a ? a : b;
    *at = std::move(node);
    if (at_a && b != in.draws.end()) in.draws.erase(b);
  }
}

}  // namespace reelforge
