#include "timeline/layer_graph.h"

#include <cmath>
#include <string>

#include "timeline/timeline.h"
#include "util/errors.h"

namespace reelforge {

namespace {
void check_table(const Layer& l, const std::vector<float>& v, const char* prop, bool non_negative) {
  const int64_t n = l.end_frame - l.start_frame;
  if (!v.empty() && v.size() != 1 && int64_t(v.size()) != n)
    throw InputError("layer '" + l.name + "' " + prop + ": expected 1 or " + std::to_string(n) + " values, got " +
                     std::to_string(v.size()));
  for (float x : v)
    if (!std::isfinite(x) || (non_negative && x < 0))
      throw InputError("layer '" + l.name + "' " + prop + ": values must be finite" +
                       (non_negative ? " and >= 0" : ""));
}

void check_nested(const Layer& l, const Timeline& parent, const Timeline& child, const char* what, int depth) {
  if (depth > kMaxNesting)
    throw InputError("layer '" + l.name + "': " + what + " nested deeper than " + std::to_string(kMaxNesting) +
                     " levels");
  child.validate_nested(depth + 1);
  (void)parent;
}
}  // namespace

void validate_graph(const Layer& l, const Timeline& parent, int depth) {
  const LayerGraph& g = l.graph;
  if (l.kind == LayerKind::Composition) {
    if (!g.composition) throw InputError("layer '" + l.name + "' is a composition without a nested timeline");
    check_nested(l, parent, *g.composition, "composition", depth);
    const int64_t n = l.end_frame - l.start_frame;
    if (g.composition_frames.size() != 1 && int64_t(g.composition_frames.size()) != n)
      throw InputError("layer '" + l.name + "' composition_frames: expected 1 or " + std::to_string(n) + " values");
    for (int64_t j : g.composition_frames)
      if (j < 0 || j >= g.composition->frame_count)
        throw InputError("layer '" + l.name + "' composition_frames: frame " + std::to_string(j) +
                         " is outside the nested timeline (0.." + std::to_string(g.composition->frame_count - 1) + ")");
  } else if (g.composition) {
    throw InputError("layer '" + l.name + "' has a nested timeline but is not a composition layer");
  }
  if (g.mask) {
    check_nested(l, parent, *g.mask, "mask", depth);
    if (g.mask->frame_count < l.end_frame)
      throw InputError("layer '" + l.name + "' mask: its timeline is shorter than the layer");
  }
  check_table(l, g.mask_feather, "mask_feather", true);
  check_table(l, g.corner_radius, "corner_radius", true);
  check_table(l, g.border_width, "border_width", true);
  for (auto [v, name] : {std::pair{&g.border_r, "border_color"}, {&g.border_g, "border_color"},
                         {&g.border_b, "border_color"}, {&g.border_a, "border_color"}})
    check_table(l, *v, name, true);
}

}  // namespace reelforge
