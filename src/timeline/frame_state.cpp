#include "timeline/frame_state.h"

#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>

namespace reelforge {

bool layer_active(const Layer& l, int64_t frame) { return frame >= l.start_frame && frame < l.end_frame; }

LayerPlacement place_layer(const Layer& l, int64_t frame) {
  const LayerTrack& t = l.track;
  const size_t k = size_t(frame - l.start_frame);
  auto at = [k](const std::vector<float>& v) { return double(v.size() == 1 ? v[0] : v[k]); };  // see LayerTrack
  LayerPlacement p;
  const double w = at(t.width), h = at(t.height);
  p.size = {float(w), float(h)};
  p.opacity = float(std::clamp(at(t.opacity), 0.0, 1.0));
  using Eigen::Affine2d;
  Affine2d m = Eigen::Translation2d(at(t.x), at(t.y)) * Eigen::Rotation2Dd(at(t.rotation) * M_PI / 180.0) *
               Eigen::Scaling(at(t.scale_x), at(t.scale_y)) * Eigen::Translation2d(-at(t.anchor_x) * w, -at(t.anchor_y) * h);
  const double x0 = std::clamp(at(t.crop_left), 0.0, 1.0) * w;
  const double y0 = std::clamp(at(t.crop_top), 0.0, 1.0) * h;
  const double x1 = (1.0 - std::clamp(at(t.crop_right), 0.0, 1.0)) * w;
  const double y1 = (1.0 - std::clamp(at(t.crop_bottom), 0.0, 1.0)) * h;
  p.clip = {float(x0), float(y0), float(x1), float(y1)};
  const double det = m.linear().determinant();
  if (std::abs(det) < 1e-12 || w <= 0 || h <= 0 || x1 <= x0 || y1 <= y0) {
    p.opacity = 0.0f;  // degenerate (zero scale or size): draws nothing
    p.size = {1, 1};
    return p;
  }
  const Affine2d inv = m.inverse();
  const auto& a = inv.matrix();
  p.inv = {float(a(0, 0)), float(a(0, 1)), float(a(0, 2)), float(a(1, 0)), float(a(1, 1)), float(a(1, 2))};
  // Length on the canvas of one local unit along each local axis.
  p.px_per_local = {float(m.linear().col(0).norm()), float(m.linear().col(1).norm())};
  Eigen::Vector2d lo(1e30, 1e30), hi(-1e30, -1e30);
  for (const Eigen::Vector2d corner : {Eigen::Vector2d(x0, y0), Eigen::Vector2d(x1, y0), Eigen::Vector2d(x0, y1), Eigen::Vector2d(x1, y1)}) {
    const Eigen::Vector2d q = m * corner;
    lo = lo.cwiseMin(q);
    hi = hi.cwiseMax(q);
  }
  p.bounds = {float(lo.x()), float(lo.y()), float(hi.x()), float(hi.y())};
  return p;
}

}  // namespace reelforge
