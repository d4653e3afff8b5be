#include "shapes/shape_generator.h"

#include "shapes/shape_raster.h"

namespace reelforge {

ShapeGenerator::ShapeGenerator(ShapeSpec spec, size_t frames) : CachedGenerator(4), spec_(std::move(spec)) {
  spec_.validate(frames);
}

std::vector<float> ShapeGenerator::key(const GenerateRequest& req) const {
  const auto p = spec_.params(size_t(req.local));
  const auto& r = req.rect;
  return {p[0], p[1], p[2], p[3], p[4], p[5], float(req.pixel_width), float(req.pixel_height), req.width, req.height,
          r[0], r[1], r[2], r[3]};
}

std::shared_ptr<const RgbaImage> ShapeGenerator::render(const GenerateRequest& req) const {
  const size_t k = size_t(req.local);
  return std::make_shared<const RgbaImage>(
      rasterize_shape(spec_, k, shape_box(spec_, k), req.width, req.height, req.rect, req.pixel_width, req.pixel_height));
}

std::vector<std::array<double, 4>> shape_boxes(const ShapeSpec& spec, size_t frames) {
  spec.validate(frames);
  bool constant = true;
  for (const auto* v : {&spec.width, &spec.height, &spec.radius, &spec.stroke_width}) constant = constant && v->size() == 1;
  std::vector<std::array<double, 4>> out;
  const size_t n = constant ? 1 : frames;
  out.reserve(n);
  for (size_t k = 0; k < n; ++k) out.push_back(shape_box(spec, k));
  return out;
}

}  // namespace reelforge
