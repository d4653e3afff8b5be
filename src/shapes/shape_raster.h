// Cairo drawing of a ShapeSpec: the layer box and the antialiased premultiplied RGBA8 picture.
#pragma once
#include <cairo.h>

#include <array>
#include <cstddef>

#include "shapes/shape_spec.h"
#include "timeline/timeline.h"

namespace reelforge {

// The layer's box at layer frame k in shape coordinates (x0, y0, x1, y1): the geometry's extents
// with the stroke (joins, caps, miters; dashes and stroke_start/end ignored so the box does not
// jump while a stroke draws on), plus a margin of 1 unit for the antialiased edge.
std::array<double, 4> shape_box(const ShapeSpec& s, size_t k);

// The shape at layer frame k rasterised into pw x ph pixels covering the layer-local rectangle
// `rect` (x0, y0, x1, y1), where the layer's local box [0, local_w] x [0, local_h] is the shape's
// `box` (stretched to fit, e.g. by a render scale).
RgbaImage rasterize_shape(const ShapeSpec& s, size_t k, const std::array<double, 4>& box, double local_w,
                          double local_h, const std::array<float, 4>& rect, int pw, int ph);

// Sets `cr`'s transform for drawing content whose `w` x `h` units fill the layer's local box
// [0, local_w] x [0, local_h] into pw x ph pixels covering local rectangle `rect`.
void map_local_rect(cairo_t* cr, double w, double h, double local_w, double local_h,
                    const std::array<float, 4>& rect, int pw, int ph);

// Cairo ARGB32 (premultiplied, native-endian words) -> premultiplied RGBA8 bytes.
void cairo_argb_to_rgba(const unsigned char* data, int stride, int w, int h, RgbaImage& out);

}  // namespace reelforge
