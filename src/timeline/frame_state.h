// What one layer looks like at one frame: its canvas -> layer-local affine map and paint values.
#pragma once
#include <array>
#include <cstdint>

#include "timeline/timeline.h"

namespace reelforge {

struct LayerPlacement {
  // Canvas pixel (x, y) -> layer-local (u, v) = (inv[0] x + inv[1] y + inv[2], inv[3] x + inv[4] y + inv[5]).
  std::array<float, 6> inv{};
  std::array<float, 2> px_per_local{1, 1};  // canvas pixels per local unit along u and v
  std::array<float, 2> size{0, 0};          // layer extent in local units (displayed width, height)
  std::array<float, 4> clip{0, 0, 0, 0};    // visible local rectangle after crop: x0, y0, x1, y1
  float opacity = 1.0f;
  std::array<float, 4> bounds{0, 0, 0, 0};  // canvas bounding box: min x, min y, max x, max y
};

bool layer_active(const Layer& layer, int64_t frame);

// Affine composed as anchor -> scale -> rotate -> translate (Eigen), then inverted for sampling.
// `frame` must be in [layer.start_frame, layer.end_frame).
LayerPlacement place_layer(const Layer& layer, int64_t frame);

}  // namespace reelforge
