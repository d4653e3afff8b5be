#include "shapes/shape_raster.h"

#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "shapes/svg_path.h"
#include "util/errors.h"

namespace reelforge {

namespace {

struct CairoFree {
  void operator()(cairo_t* c) const { cairo_destroy(c); }
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
  void operator()(cairo_pattern_t* p) const { cairo_pattern_destroy(p); }
  void operator()(cairo_path_t* p) const { cairo_path_destroy(p); }
};
template <class T>
using CairoPtr = std::unique_ptr<T, CairoFree>;

struct Params {
  double width, height, radius, stroke_width, stroke_start, stroke_end;
};

Params params_at(const ShapeSpec& s, size_t k) {
  const auto p = s.params(k);
  return {p[0], p[1], p[2], p[3], p[4], p[5]};
}

void append_path(cairo_t* cr, const ShapeSpec& s, const Params& p) {
  switch (s.type) {
    case ShapeType::Rect: {
      const double w = p.width, h = p.height, r = std::clamp(p.radius, 0.0, std::min(w, h) / 2);
      if (r <= 0) {  // starts at the top-left corner, clockwise on screen
        cairo_move_to(cr, 0, 0);
        cairo_line_to(cr, w, 0);
        cairo_line_to(cr, w, h);
        cairo_line_to(cr, 0, h);
      } else {       // starts where the top edge leaves the top-left corner, clockwise
        cairo_move_to(cr, r, 0);
        cairo_arc(cr, w - r, r, r, -M_PI / 2, 0);
        cairo_arc(cr, w - r, h - r, r, 0, M_PI / 2);
        cairo_arc(cr, r, h - r, r, M_PI / 2, M_PI);
        cairo_arc(cr, r, r, r, M_PI, 3 * M_PI / 2);
      }
      cairo_close_path(cr);
      break;
    }
    case ShapeType::Ellipse: {  // starts at the rightmost point, clockwise on screen
      if (p.width <= 0 || p.height <= 0) break;
      cairo_save(cr);
      cairo_translate(cr, p.width / 2, p.height / 2);
      cairo_scale(cr, p.width / 2, p.height / 2);
      cairo_new_sub_path(cr);
      cairo_arc(cr, 0, 0, 1, 0, 2 * M_PI);
      cairo_close_path(cr);
      cairo_restore(cr);
      break;
    }
    case ShapeType::Line:
      cairo_move_to(cr, s.points[0], s.points[1]);
      cairo_line_to(cr, s.points[2], s.points[3]);
      break;
    case ShapeType::Polygon:
      cairo_move_to(cr, s.points[0], s.points[1]);
      for (size_t i = 2; i + 1 < s.points.size(); i += 2) cairo_line_to(cr, s.points[i], s.points[i + 1]);
      cairo_close_path(cr);
      break;
    case ShapeType::Path:
      for (const PathOp& op : parse_svg_path(s.path)) {
        const auto& q = op.p;
        if (op.kind == PathOp::Move) cairo_move_to(cr, q[0], q[1]);
        else if (op.kind == PathOp::Line) cairo_line_to(cr, q[0], q[1]);
        else if (op.kind == PathOp::Cubic) cairo_curve_to(cr, q[0], q[1], q[2], q[3], q[4], q[5]);
        else cairo_close_path(cr);
      }
      break;
  }
}

bool has_stroke(const ShapeSpec& s, const Params& p) { return s.stroke.kind != PaintKind::None && p.stroke_width > 0; }

void set_stroke_style(cairo_t* cr, const ShapeSpec& s, const Params& p) {
  cairo_set_line_width(cr, p.stroke_width);
  cairo_set_line_join(cr, s.join == LineJoin::Round   ? CAIRO_LINE_JOIN_ROUND
                          : s.join == LineJoin::Bevel ? CAIRO_LINE_JOIN_BEVEL
                                                      : CAIRO_LINE_JOIN_MITER);
  cairo_set_line_cap(cr, s.cap == LineCap::Round    ? CAIRO_LINE_CAP_ROUND
                         : s.cap == LineCap::Square ? CAIRO_LINE_CAP_SQUARE
                                                    : CAIRO_LINE_CAP_BUTT);
  cairo_set_miter_limit(cr, s.miter_limit);
}

void set_paint(cairo_t* cr, const Paint& paint) {
  if (paint.kind == PaintKind::Solid) {
    const auto& c = paint.color;
    cairo_set_source_rgba(cr, c[0], c[1], c[2], c[3]);
    return;
  }
  const auto& g = paint.geometry;
  CairoPtr<cairo_pattern_t> pat(paint.kind == PaintKind::Linear
                                    ? cairo_pattern_create_linear(g[0], g[1], g[2], g[3])
                                    : cairo_pattern_create_radial(g[0], g[1], 0, g[0], g[1], g[2]));
  for (const GradientStop& st : paint.stops)
    cairo_pattern_add_color_stop_rgba(pat.get(), st.offset, st.color[0], st.color[1], st.color[2], st.color[3]);
  cairo_pattern_set_extend(pat.get(), CAIRO_EXTEND_PAD);
  cairo_set_source(cr, pat.get());
}

// Replaces the current path by its part from fraction a to b of its length (flattened: curves
// as polylines within cairo's tolerance of 0.1 device pixels). Closed subpaths wrap through
// their closing segment; a wholly kept closed subpath stays closed (joined all round).
void trim_path(cairo_t* cr, double a, double b) {
  CairoPtr<cairo_path_t> flat(cairo_copy_path_flat(cr));
  struct Sub { std::vector<std::array<double, 2>> pts; bool closed = false; };
  std::vector<Sub> subs;
  for (int i = 0; i < flat->num_data; i += flat->data[i].header.length) {
    const cairo_path_data_t* d = &flat->data[i];
    if (d->header.type == CAIRO_PATH_MOVE_TO) subs.push_back({{{d[1].point.x, d[1].point.y}}, false});
    else if (d->header.type == CAIRO_PATH_LINE_TO && !subs.empty()) subs.back().pts.push_back({d[1].point.x, d[1].point.y});
    else if (d->header.type == CAIRO_PATH_CLOSE_PATH && !subs.empty()) subs.back().closed = true;
  }
  for (Sub& s : subs)
    if (s.closed) s.pts.push_back(s.pts.front());
  double total = 0;
  for (const Sub& s : subs)
    for (size_t i = 1; i < s.pts.size(); ++i) total += std::hypot(s.pts[i][0] - s.pts[i - 1][0], s.pts[i][1] - s.pts[i - 1][1]);
  cairo_new_path(cr);
  a *= total, b *= total;
  double at = 0;
  for (const Sub& s : subs) {
    const double sub_start = at;
    bool pen = false;
    for (size_t i = 1; i < s.pts.size(); ++i) {
      const auto &p = s.pts[i - 1], &q = s.pts[i];
      const double len = std::hypot(q[0] - p[0], q[1] - p[1]), l0 = at, l1 = at + len;
      at = l1;
      if (len <= 0 || l1 < a || l0 > b) continue;
      const double t0 = std::max(0.0, (a - l0) / len), t1 = std::min(1.0, (b - l0) / len);
      if (!pen) cairo_move_to(cr, p[0] + t0 * (q[0] - p[0]), p[1] + t0 * (q[1] - p[1]));
      pen = true;
      if (s.closed && i + 1 == s.pts.size() && a <= sub_start && b >= l1) cairo_close_path(cr);
      else cairo_line_to(cr, p[0] + t1 * (q[0] - p[0]), p[1] + t1 * (q[1] - p[1]));
    }
  }
}

}  // namespace

std::array<float, 6> ShapeSpec::params(size_t k) const {
  auto at = [k](const std::vector<float>& v) { return v.size() == 1 ? v[0] : v.at(k); };
  return {at(width), at(height), at(radius), at(stroke_width), at(stroke_start), at(stroke_end)};
}

void ShapeSpec::validate(size_t frames) const {
  for (auto [v, name] : {std::pair{&width, "width"}, {&height, "height"}, {&radius, "radius"},
                         {&stroke_width, "stroke_width"}, {&stroke_start, "stroke_start"}, {&stroke_end, "stroke_end"}}) {
    if (v->size() != 1 && v->size() != frames)
      throw InputError("shape " + std::string(name) + ": expected 1 or " + std::to_string(frames) + " values, got " +
                       std::to_string(v->size()));
    for (float x : *v)
      if (!std::isfinite(x) || x < 0) throw InputError("shape " + std::string(name) + ": values must be finite and >= 0");
  }
  if (type == ShapeType::Line && points.size() != 4) throw InputError("shape Line: needs 4 coordinates x1, y1, x2, y2");
  if (type == ShapeType::Polygon && (points.size() < 6 || points.size() % 2))
    throw InputError("shape Polygon: needs at least 3 (x, y) points");
  for (float x : points)
    if (!std::isfinite(x)) throw InputError("shape points must be finite");
  if (type == ShapeType::Path) parse_svg_path(path);
  for (const Paint* p : {&fill, &stroke})
    if ((p->kind == PaintKind::Linear || p->kind == PaintKind::Radial) && p->stops.empty())
      throw InputError("gradient: needs at least one stop");
  double sum = 0;
  for (float d : dash) {
    if (!std::isfinite(d) || d < 0) throw InputError("shape dash: lengths must be finite and >= 0");
    sum += d;
  }
  if (!dash.empty() && sum <= 0) throw InputError("shape dash: at least one length must be > 0");
  if (!(miter_limit >= 1)) throw InputError("shape miter_limit must be >= 1");
}

std::array<double, 4> shape_box(const ShapeSpec& s, size_t k) {
  const Params p = params_at(s, k);
  CairoPtr<cairo_surface_t> surf(cairo_image_surface_create(CAIRO_FORMAT_A8, 1, 1));
  CairoPtr<cairo_t> cr(cairo_create(surf.get()));
  append_path(cr.get(), s, p);
  double x0, y0, x1, y1;
  cairo_path_extents(cr.get(), &x0, &y0, &x1, &y1);
  if (has_stroke(s, p)) {
    set_stroke_style(cr.get(), s, p);
    double a, b, c, d;
    cairo_stroke_extents(cr.get(), &a, &b, &c, &d);
    if (c > a || d > b) x0 = std::min(x0, a), y0 = std::min(y0, b), x1 = std::max(x1, c), y1 = std::max(y1, d);
  }
  return {std::floor(x0) - 1, std::floor(y0) - 1, std::ceil(x1) + 1, std::ceil(y1) + 1};
}

void map_local_rect(cairo_t* cr, double w, double h, double local_w, double local_h,
                    const std::array<float, 4>& rect, int pw, int ph) {
  cairo_scale(cr, pw / double(rect[2] - rect[0]), ph / double(rect[3] - rect[1]));
  cairo_translate(cr, -rect[0], -rect[1]);
  cairo_scale(cr, local_w / w, local_h / h);
}

RgbaImage rasterize_shape(const ShapeSpec& s, size_t k, const std::array<double, 4>& box, double local_w,
                          double local_h, const std::array<float, 4>& rect, int pw, int ph) {
  const Params p = params_at(s, k);
  CairoPtr<cairo_surface_t> surf(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, pw, ph));
  if (cairo_surface_status(surf.get()) != CAIRO_STATUS_SUCCESS)
    throw Error(std::string("cairo: ") + cairo_status_to_string(cairo_surface_status(surf.get())));
  CairoPtr<cairo_t> cr(cairo_create(surf.get()));
  // Curves flattened within 1/50 pixel (cairo's default 0.1 px shows as coverage error on edges).
  cairo_set_tolerance(cr.get(), 0.02);
  map_local_rect(cr.get(), box[2] - box[0], box[3] - box[1], local_w, local_h, rect, pw, ph);
  cairo_translate(cr.get(), -box[0], -box[1]);
  append_path(cr.get(), s, p);
  if (s.fill.kind != PaintKind::None && s.type != ShapeType::Line) {
    set_paint(cr.get(), s.fill);
    cairo_fill_preserve(cr.get());
  }
  if (has_stroke(s, p) && p.stroke_end > p.stroke_start) {
    if (p.stroke_start > 0 || p.stroke_end < 1) trim_path(cr.get(), std::max(0.0, p.stroke_start), std::min(1.0, p.stroke_end));
    set_stroke_style(cr.get(), s, p);
    if (!s.dash.empty()) {
      std::vector<double> d(s.dash.begin(), s.dash.end());
      if (d.size() % 2) d.insert(d.end(), s.dash.begin(), s.dash.end());  // SVG: an odd list is repeated
      cairo_set_dash(cr.get(), d.data(), int(d.size()), s.dash_offset);
    }
    set_paint(cr.get(), s.stroke);
    cairo_stroke(cr.get());
  }
  cairo_surface_flush(surf.get());
  RgbaImage out;
  cairo_argb_to_rgba(cairo_image_surface_get_data(surf.get()), cairo_image_surface_get_stride(surf.get()), pw, ph, out);
  return out;
}

void cairo_argb_to_rgba(const unsigned char* data, int stride, int w, int h, RgbaImage& out) {
  out.width = w, out.height = h;
  out.pixels.resize(size_t(w) * h * 4);
  uint8_t* o = out.pixels.data();
  for (int y = 0; y < h; ++y) {
    const auto* row = reinterpret_cast<const uint32_t*>(data + size_t(y) * stride);
    for (int x = 0; x < w; ++x, o += 4) {
      const uint32_t v = row[x];
      o[0] = uint8_t(v >> 16), o[1] = uint8_t(v >> 8), o[2] = uint8_t(v), o[3] = uint8_t(v >> 24);
    }
  }
}

}  // namespace reelforge
