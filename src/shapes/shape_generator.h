// A shape layer's generator: the ShapeSpec rasterised by cairo at the displayed size, once per
// distinct (parameters, raster size): a static shape is rasterised once for the whole render.
#pragma once
#include "generated/image_generator.h"
#include "shapes/shape_spec.h"

namespace reelforge {

class ShapeGenerator : public CachedGenerator {
 public:
  // Validates `spec` for a layer of `frames` frames (InputError naming the field).
  ShapeGenerator(ShapeSpec spec, size_t frames);
  const ShapeSpec& spec() const { return spec_; }
  bool covers_rect() const override { return true; }

 protected:
  std::vector<float> key(const GenerateRequest& req) const override;
  std::shared_ptr<const RgbaImage> render(const GenerateRequest& req) const override;

 private:
  ShapeSpec spec_;
};

// The layer boxes (x0, y0, x1, y1 in shape coordinates, see shape_box) for layer frames
// [0, frames): one row when every animatable parameter is constant.
std::vector<std::array<double, 4>> shape_boxes(const ShapeSpec& spec, size_t frames);

}  // namespace reelforge
