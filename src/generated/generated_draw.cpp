#include "generated/generated_draw.h"

#include <cmath>

#include "generated/image_generator.h"
#include "util/errors.h"

namespace reelforge {

namespace {

// The box [0, w] along one local axis grown to whole canvas pixels, for an axis-aligned layer
// whose canvas coordinate is c = (u - off) / a (a > 0: inv row u = a c + off). False where the
// snapped size would exceed the raster caps.
bool snap_axis(double a, double off, double w, float& r0, float& r1, int& pixels) {
  const double c0 = std::floor((0 - off) / a + 1e-4), c1 = std::ceil((w - off) / a - 1e-4);
  if (!(c1 > c0) || c1 - c0 > kMaxGeneratedSide) return false;
  r0 = float(c0 * a + off), r1 = float(c1 * a + off);
  pixels = int(c1 - c0);
  return true;
}

// `place` re-expressed for a picture covering local rectangle r: local' = local - r.xy, size r's.
void rebase(LayerPlacement& p, const std::array<float, 4>& r) {
  p.inv[2] -= r[0];
  p.inv[5] -= r[1];
  p.clip = {p.clip[0] - r[0], p.clip[1] - r[1], p.clip[2] - r[0], p.clip[3] - r[1]};
  p.size = {r[2] - r[0], r[3] - r[1]};
}

}  // namespace

std::shared_ptr<const RgbaImage> generate_picture(const Layer& l, int64_t i, LayerPlacement& place) {
  GenerateRequest req;
  req.frame = i;
  req.local = i - l.start_frame;
  req.width = place.size[0];
  req.height = place.size[1];
  req.rect = {0, 0, req.width, req.height};
  // Canvas pixels per local unit along each axis include scale (and are unchanged by rotation).
  std::tie(req.pixel_width, req.pixel_height) =
      generated_pixel_size(req.width, req.height, place.px_per_local[0], place.px_per_local[1]);
  const auto& inv = place.inv;
  bool aligned = false;
  if (l.generator->covers_rect() && inv[1] == 0 && inv[3] == 0 && inv[0] > 0 && inv[4] > 0) {
    std::array<float, 4> r;
    int pw, ph;
    aligned = snap_axis(inv[0], inv[2], req.width, r[0], r[2], pw) && snap_axis(inv[4], inv[5], req.height, r[1], r[3], ph) &&
              int64_t(pw) * ph <= kMaxGeneratedPixels;
    if (aligned) req.rect = r, req.pixel_width = pw, req.pixel_height = ph;
  }
  std::shared_ptr<const RgbaImage> img = l.generator->at(req);
  if (img && (img->width < 1 || img->height < 1 || img->pixels.size() != size_t(img->width) * img->height * 4))
    throw InputError("layer '" + l.name + "': its generator returned a malformed picture at frame " +
                     std::to_string(i));
  if (img && aligned) rebase(place, req.rect);
  return img;
}

}  // namespace reelforge
