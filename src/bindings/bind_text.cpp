// _core.render_text: HarfBuzz shaping + FreeType rasterisation of a UTF-8 string into a
// premultiplied RGBA8 numpy array (see src/text/text_raster.h). Python-facing wrapper:
// reelforge.text.add_text_layer.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "bindings/bind.h"
#include "text/rich_text.h"
#include "text/text_raster.h"

namespace py = pybind11;

namespace reelforge {

namespace {

// Sets the Python error to reelforge.errors.<cls>(msg) and unwinds to pybind11, which re-raises it.
[[noreturn]] void raise_error(const char* cls, const std::string& msg) {
  py::object type = py::module_::import("reelforge.errors").attr(cls);
  PyErr_SetString(type.ptr(), msg.c_str());
  throw py::error_already_set();
}

Rgba8 rgba8(const std::array<int, 4>& c, const char* what) {
  Rgba8 out{};
  for (size_t i = 0; i < 4; ++i) {
    if (c[i] < 0 || c[i] > 255)
      raise_error("SceneError", std::string("render_rich_text: ") + what + " components must be integers in 0-255, got " +
                                    std::to_string(c[i]));
    out[i] = static_cast<uint8_t>(c[i]);
  }
  return out;
}

using SpanTuple = std::tuple<std::string, std::string, double, std::array<int, 4>, bool>;

py::dict rich_text(const std::vector<SpanTuple>& span_tuples, double max_width, const std::string& align,
                   double line_height, double letter_spacing, double stroke_width, std::array<int, 4> stroke_color,
                   std::array<double, 3> shadow, std::array<int, 4> shadow_color, std::array<int, 4> box_color,
                   double box_padding, double box_radius, bool paint_box, bool paint_glyphs, int64_t glyph_begin,
                   int64_t glyph_end) {
  std::vector<TextSpan> spans;
  for (const auto& [text, font, size, color, bold] : span_tuples)
    spans.push_back(TextSpan{text, font, size, rgba8(color, "span color"), bold});
  ParagraphStyle st;
  st.max_width = max_width;
  if (align == "left") st.align = TextAlign::Left;
  else if (align == "center") st.align = TextAlign::Center;
  else if (align == "right") st.align = TextAlign::Right;
  else if (align == "justify") st.align = TextAlign::Justify;
  else raise_error("SceneError", "render_rich_text: align must be left|center|right|justify, got '" + align + "'");
  st.line_height = line_height;
  st.letter_spacing = letter_spacing;
  st.stroke_width = stroke_width;
  st.stroke_color = rgba8(stroke_color, "stroke_color");
  st.shadow_dx = shadow[0], st.shadow_dy = shadow[1], st.shadow_blur = shadow[2];
  st.shadow_color = rgba8(shadow_color, "shadow color");
  st.box_color = rgba8(box_color, "background color");
  st.box_padding = box_padding, st.box_radius = box_radius;
  st.paint_box = paint_box, st.paint_glyphs = paint_glyphs;
  st.glyph_begin = glyph_begin, st.glyph_end = glyph_end;

  RichTextImage img;
  std::string err_cls, err_msg;
  {
    py::gil_scoped_release nogil;
    try {
      img = render_rich_text(spans, st);
    } catch (const std::invalid_argument& e) {
      err_cls = "SceneError", err_msg = e.what();
    } catch (const std::runtime_error& e) {
      err_cls = "MediaError", err_msg = e.what();
    }
  }
  if (!err_cls.empty()) raise_error(err_cls.c_str(), err_msg);
  std::vector<double> clusters;
  clusters.reserve(img.clusters.size() * 7);
  for (const ClusterBox& c : img.clusters)
    for (double v : {double(c.first), double(c.last), double(c.line), double(c.x0), double(c.y0), double(c.x1), double(c.y1)})
      clusters.push_back(v);
  py::dict d;
  const auto n = static_cast<py::ssize_t>(img.clusters.size());
  d["pixels"] = to_array(std::move(img.pixels), {img.height, img.width, 4});
  d["baseline_y"] = img.baseline_y;
  d["text_box"] = py::make_tuple(img.text_x0, img.text_y0, img.text_x1, img.text_y1);
  d["box"] = py::make_tuple(img.box_x0, img.box_y0, img.box_x1, img.box_y1);
  d["ink_box"] = py::make_tuple(img.ink_x0, img.ink_y0, img.ink_x1, img.ink_y1);
  d["lines"] = img.lines;
  d["clusters"] = to_array(std::move(clusters), {n, 7});
  return d;
}

}  // namespace

void bind_text(py::module_& m) {
  m.def("render_rich_text", &rich_text, py::arg("spans"), py::arg("max_width") = 0.0, py::arg("align") = "left",
        py::arg("line_height") = 1.2, py::arg("letter_spacing") = 0.0, py::arg("stroke_width") = 0.0,
        py::arg("stroke_color") = std::array<int, 4>{0, 0, 0, 255}, py::arg("shadow") = std::array<double, 3>{0, 0, 0},
        py::arg("shadow_color") = std::array<int, 4>{0, 0, 0, 0}, py::arg("box_color") = std::array<int, 4>{0, 0, 0, 0},
        py::arg("box_padding") = 0.0, py::arg("box_radius") = 0.0, py::arg("paint_box") = true,
        py::arg("paint_glyphs") = true, py::arg("glyph_begin") = 0, py::arg("glyph_end") = -1,
        R"doc(Lay out and paint styled text (src/text/rich_text.h); reelforge.text wraps it.

``spans``: list of ``(text, font_path, size_px, (r, g, b, a) 0-255 straight, embolden)``. Lengths in
pixels; ``shadow``: ``(dx, dy, blur)`` (Gaussian sigma = blur / 2, CSS text-shadow); colours with
alpha 0 disable the shadow / box. ``glyph_begin``/``glyph_end``: code point range painted (-1: all).

Returns a dict: ``pixels`` uint8 ``(h, w, 4)`` PREMULTIPLIED RGBA; ``baseline_y``; ``text_box`` and
``box`` ``(x0, y0, x1, y1)`` image pixels; ``ink_box`` (text box united with the glyph ink); ``lines``; ``clusters`` float64 ``(n, 7)`` rows
``(first, last, line, x0, y0, x1, y1)`` (code point range and advance box, visual order per line).
Raises SceneError for bad values, MediaError for unreadable fonts. The GIL is released.)doc");

  m.def(
      "render_text",
      [](const std::string& text, const std::string& font_path, double size_px, std::array<int, 4> color,
         double line_spacing, const std::string& align) {
        TextStyle style;
        style.font_path = font_path;
        style.size_px = size_px;
        for (size_t i = 0; i < 4; ++i) {
          if (color[i] < 0 || color[i] > 255)
            raise_error("SceneError", "render_text: color components must be integers in 0-255, got " +
                                          std::to_string(color[i]));
          style.color[i] = static_cast<uint8_t>(color[i]);
        }
        style.line_spacing = line_spacing;
        style.align = align;

        TextImage img;
        std::string err_cls, err_msg;
        {
          py::gil_scoped_release nogil;
          try {
            img = render_text(text, style);
          } catch (const std::invalid_argument& e) {
            err_cls = "SceneError";
            err_msg = e.what();
          } catch (const std::runtime_error& e) {
            err_cls = "MediaError";
            err_msg = e.what();
          }
        }
        // Raise only once the GIL is held again.
        if (!err_cls.empty()) raise_error(err_cls.c_str(), err_msg);
        const py::ssize_t h = img.height, w = img.width;
        return py::make_tuple(to_array(std::move(img.pixels), {h, w, 4}), img.baseline_y);
      },
      py::arg("text"), py::arg("font_path"), py::arg("size_px") = 48.0,
      py::arg("color") = std::array<int, 4>{255, 255, 255, 255}, py::arg("line_spacing") = 1.2,
      py::arg("align") = "left",
      R"doc(Shape (HarfBuzz) and rasterise (FreeType) UTF-8 ``text`` with the TTF/OTF font at ``font_path``.

``size_px``: em size in pixels; ``color``: straight RGBA, 0-255 ints; ``line_spacing``: multiple of
``size_px`` between '\n'-separated baselines; ``align``: left|center|right (per line).

Returns ``(pixels, baseline_y)``: ``pixels`` a ``uint8`` array of shape ``(h, w, 4)`` holding
PREMULTIPLIED RGBA (ink plus a 2 px transparent border), ``baseline_y`` the y (pixels from the image top)
of the first line's baseline; the first line's pen origin is at x = 2 px.

Raises reelforge.errors.SceneError for empty text, invalid UTF-8 or bad style values, and
reelforge.errors.MediaError when the font cannot be opened or parsed. The GIL is released while
rendering.)doc");
}

}  // namespace reelforge
