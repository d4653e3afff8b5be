// Render-graph CPU logic: placements re-expressed in an intermediate's pixels (retarget), mip
// levels for an intermediate, and the timeline's graph checks (validate_graph).
#include <doctest/doctest.h>

#include "gpu/node_renderer.h"
#include "timeline/frame_state.h"
#include "util/errors.h"

using namespace reelforge;

namespace {
Layer solid(float x, float y, float w, float h, float scale = 1.0f, float rotation = 0.0f) {
  Layer l;
  l.name = "s";
  l.start_frame = 0, l.end_frame = 1;
  auto& t = l.track;
  t.x = {x}, t.y = {y}, t.width = {w}, t.height = {h}, t.anchor_x = {0}, t.anchor_y = {0};
  t.scale_x = {scale}, t.scale_y = {scale}, t.rotation = {rotation}, t.opacity = {1};
  t.crop_left = {0}, t.crop_top = {0}, t.crop_right = {0}, t.crop_bottom = {0};
  return l;
}
}  // namespace

TEST_CASE("retarget maps target pixels to the same layer-local points") {
  const LayerPlacement p = place_layer(solid(10, 20, 40, 30, 2.0f, 30.0f), 0);
  const Affine m{0.5, 0, 7, 0, 0.5, -3};  // target pixel q -> canvas q / 2 + (7, -3)
  const LayerPlacement r = retarget(p, m);
  for (auto [qx, qy] : {std::pair{0.0, 0.0}, {13.5, 40.25}, {-8.0, 3.0}}) {
    const double cx = m[0] * qx + m[1] * qy + m[2], cy = m[3] * qx + m[4] * qy + m[5];
    CHECK(r.inv[0] * qx + r.inv[1] * qy + r.inv[2] == doctest::Approx(p.inv[0] * cx + p.inv[1] * cy + p.inv[2]).epsilon(1e-5));
    CHECK(r.inv[3] * qx + r.inv[4] * qy + r.inv[5] == doctest::Approx(p.inv[3] * cx + p.inv[4] * cy + p.inv[5]).epsilon(1e-5));
  }
  // Target pixels are half the canvas's: a local unit spans twice as many of them.
  CHECK(r.px_per_local[0] == doctest::Approx(2 * p.px_per_local[0]));
  CHECK(r.px_per_local[1] == doctest::Approx(2 * p.px_per_local[1]));
  // Bounds: the canvas bounds mapped back into target pixels.
  CHECK(r.bounds[0] == doctest::Approx((p.bounds[0] - 7) * 2).epsilon(1e-4));
  CHECK(r.bounds[3] == doctest::Approx((p.bounds[3] + 3) * 2).epsilon(1e-4));
}

TEST_CASE("levels_for: one level unless the image is shown smaller") {
  LayerPlacement p = place_layer(solid(0, 0, 100, 50), 0);
  CHECK(levels_for(100, 50, p) == 1);
  CHECK(levels_for(400, 200, p) == 4);  // shrunk 4x: levels down to the one sampled, plus one
}

TEST_CASE("validate_graph names the layer") {
  Timeline tl;
  tl.width = 32, tl.height = 32, tl.frame_count = 4;
  Layer comp = solid(0, 0, 32, 32);
  comp.name = "pip";
  comp.end_frame = 4;
  comp.kind = LayerKind::Composition;
  tl.layers = {comp};
  CHECK_THROWS_WITH_AS(tl.validate(), doctest::Contains("'pip' is a composition without a nested timeline"), InputError);
  auto child = std::make_shared<Timeline>();
  child->width = 16, child->height = 16, child->frame_count = 2;
  tl.layers[0].graph.composition = child;
  tl.layers[0].graph.composition_frames = {0, 1, 2, 1};
  CHECK_THROWS_WITH_AS(tl.validate(), doctest::Contains("frame 2 is outside the nested timeline"), InputError);
  tl.layers[0].graph.composition_frames = {0, 1, 1, 1};
  CHECK_NOTHROW(tl.validate());
  tl.layers[0].graph.corner_radius = {1, -2};
  CHECK_THROWS_WITH_AS(tl.validate(), doctest::Contains("corner_radius"), InputError);
}
