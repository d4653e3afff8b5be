// Shapes (cairo) and SVG (librsvg) generators; Python builds a ShapeSpec in reelforge.shapes.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "bindings/bind.h"
#include "shapes/shape_generator.h"
#include "shapes/svg_generator.h"
#include "shapes/svg_path.h"
#include "util/errors.h"

namespace py = pybind11;

namespace reelforge {

namespace {
using FloatArray = py::array_t<float, py::array::c_style | py::array::forcecast>;
std::vector<float> to_vector(const FloatArray& a, const char* what) {
  if (a.ndim() != 1) throw InputError(std::string("shape ") + what + " must be 1-D");
  return {a.data(), a.data() + a.size()};
}
}  // namespace

void bind_shapes(py::module_& m) {
  py::enum_<ShapeType>(m, "ShapeType")
      .value("RECT", ShapeType::Rect).value("ELLIPSE", ShapeType::Ellipse).value("LINE", ShapeType::Line)
      .value("POLYGON", ShapeType::Polygon).value("PATH", ShapeType::Path);
  py::enum_<LineJoin>(m, "LineJoin").value("MITER", LineJoin::Miter).value("ROUND", LineJoin::Round)
      .value("BEVEL", LineJoin::Bevel);
  py::enum_<LineCap>(m, "LineCap").value("BUTT", LineCap::Butt).value("ROUND", LineCap::Round)
      .value("SQUARE", LineCap::Square);
  py::enum_<PaintKind>(m, "PaintKind").value("NONE", PaintKind::None).value("SOLID", PaintKind::Solid)
      .value("LINEAR", PaintKind::Linear).value("RADIAL", PaintKind::Radial);

  py::class_<Paint>(m, "Paint", "A fill or stroke: none, a straight RGBA colour (0..1), or a gradient in shape pixels.")
      .def(py::init<>())
      .def_readwrite("kind", &Paint::kind)
      .def_readwrite("color", &Paint::color)
      .def_readwrite("geometry", &Paint::geometry, "Linear: x0, y0, x1, y1; radial: cx, cy, r, 0 (pixels)")
      .def_property("stops",
          [](const Paint& p) {
            std::vector<std::pair<float, std::array<float, 4>>> out;
            for (const auto& s : p.stops) out.emplace_back(s.offset, s.color);
            return out;
          },
          [](Paint& p, const std::vector<std::pair<float, std::array<float, 4>>>& v) {
            p.stops.clear();
            for (const auto& [o, c] : v) p.stops.push_back({o, c});
          },
          "(offset 0..1, straight RGBA 0..1) pairs, increasing offsets");

  py::class_<ShapeSpec>(m, "ShapeSpec", "A vector shape with its per-frame parameter tables (see shapes/shape_spec.h).")
      .def(py::init<>())
      .def_readwrite("type", &ShapeSpec::type)
      .def_readwrite("points", &ShapeSpec::points)
      .def_readwrite("path", &ShapeSpec::path)
      .def_readwrite("fill", &ShapeSpec::fill)
      .def_readwrite("stroke", &ShapeSpec::stroke)
      .def_readwrite("join", &ShapeSpec::join)
      .def_readwrite("cap", &ShapeSpec::cap)
      .def_readwrite("miter_limit", &ShapeSpec::miter_limit)
      .def_readwrite("dash", &ShapeSpec::dash)
      .def_readwrite("dash_offset", &ShapeSpec::dash_offset)
#define F(name)                                                                                            \
  .def_property(                                                                                           \
      #name, [](const ShapeSpec& s) { return py::array_t<float>(py::ssize_t(s.name.size()), s.name.data()); }, \
      [](ShapeSpec& s, FloatArray a) { s.name = to_vector(a, #name); })
      F(width) F(height) F(radius) F(stroke_width) F(stroke_start) F(stroke_end);
#undef F

  py::class_<CachedGenerator, ImageGenerator, std::shared_ptr<CachedGenerator>>(m, "CachedGenerator",
      "A generator keeping its last few pictures by the values that determine them.")
      .def_property_readonly("renders", &CachedGenerator::renders, "Pictures rasterised so far (cache misses).");
  py::class_<ShapeGenerator, CachedGenerator, std::shared_ptr<ShapeGenerator>>(m, "ShapeGenerator",
      "A shape layer's pictures: the ShapeSpec rasterised by cairo at the displayed size.")
      .def(py::init<ShapeSpec, size_t>(), py::arg("spec"), py::arg("frames"));
  py::class_<SvgGenerator, CachedGenerator, std::shared_ptr<SvgGenerator>>(m, "SvgGenerator",
      "An SVG file rendered by librsvg at the displayed size (cached per size).")
      .def(py::init<const std::string&>(), py::arg("path"), py::call_guard<py::gil_scoped_release>());

  m.def("shape_boxes", [](const ShapeSpec& spec, size_t frames) {
        std::vector<std::array<double, 4>> boxes;
        {
          py::gil_scoped_release nogil;
          boxes = shape_boxes(spec, frames);
        }
        py::array_t<double> out({py::ssize_t(boxes.size()), py::ssize_t(4)});
        auto v = out.mutable_unchecked<2>();
        for (size_t i = 0; i < boxes.size(); ++i)
          for (size_t j = 0; j < 4; ++j) v(py::ssize_t(i), py::ssize_t(j)) = boxes[i][j];
        return out;
      }, py::arg("spec"), py::arg("frames"),
      "Layer boxes (x0, y0, x1, y1) in shape pixels per layer frame, float64 (n, 4); n = 1 when constant.");
  m.def("svg_size", &svg_size, py::arg("path"), py::call_guard<py::gil_scoped_release>(),
        "(width, height) in pixels of an SVG file (96 dpi; the viewBox when it has no width/height).");
  m.def("check_svg_path", [](const std::string& d) { return parse_svg_path(d).size(); }, py::arg("d"),
        "Parses SVG path data; returns the number of segments. Raises SceneError for malformed data.");
}

}  // namespace reelforge
