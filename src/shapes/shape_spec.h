// A vector shape as Scene.compile() describes it: geometry, paints, stroke style, and the
// animatable parameters as float32 tables over the layer's frames (one value per frame, or one).
// Coordinates are the shape's own pixels: a Rect/Ellipse spans [0, width] x [0, height]; Line,
// Polygon and Path points are as given. The layer's box is the shape's extents plus stroke and a
// 1-unit margin (shape_box).
#pragma once
#include <array>
#include <cstddef>
#include <string>
#include <vector>

namespace reelforge {

enum class ShapeType { Rect = 0, Ellipse = 1, Line = 2, Polygon = 3, Path = 4 };
enum class LineJoin { Miter = 0, Round = 1, Bevel = 2 };
enum class LineCap { Butt = 0, Round = 1, Square = 2 };
enum class PaintKind { None = 0, Solid = 1, Linear = 2, Radial = 3 };

struct GradientStop {
  float offset = 0;                  // 0..1 along the gradient
  std::array<float, 4> color{};      // straight RGBA 0..1
};

// A fill or stroke: nothing, one colour, or a gradient in shape coordinates (SVG
// gradientUnits="userSpaceOnUse", spreadMethod="pad").
struct Paint {
  PaintKind kind = PaintKind::None;
  std::array<float, 4> color{0, 0, 0, 1};  // Solid: straight RGBA 0..1
  std::array<float, 4> geometry{};         // Linear: x0, y0, x1, y1; Radial: cx, cy, r, unused
  std::vector<GradientStop> stops;         // increasing offsets, at least one
};

struct ShapeSpec {
  ShapeType type = ShapeType::Rect;
  std::vector<float> points;  // Line: x1, y1, x2, y2; Polygon: x, y pairs (closed)
  std::string path;           // Path: SVG path data
  Paint fill, stroke;
  LineJoin join = LineJoin::Miter;
  LineCap cap = LineCap::Butt;
  float miter_limit = 4.0f;   // SVG's default
  std::vector<float> dash;    // on, off, ... lengths in shape pixels; empty: solid
  float dash_offset = 0.0f;
  // Tables (1 value, or one per frame of the layer): Rect/Ellipse size, Rect corner radius
  // (clamped to half the shorter side), stroke width (pixels), and the drawn part of the stroke
  // as fractions of the path length [stroke_start, stroke_end].
  std::vector<float> width{0}, height{0}, radius{0}, stroke_width{0}, stroke_start{0}, stroke_end{1};

  // Throws InputError naming the field for inconsistent data (`frames`: the layer's frame count).
  void validate(size_t frames) const;
  // The animatable parameters at layer frame k (width, height, radius, stroke width/start/end).
  std::array<float, 6> params(size_t k) const;
};

}  // namespace reelforge
