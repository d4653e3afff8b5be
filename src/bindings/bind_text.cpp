// _core.render_text: HarfBuzz shaping + FreeType rasterisation of a UTF-8 string into a
// premultiplied RGBA8 numpy array (see src/text/text_raster.h). Python-facing wrapper:
// reelforge.text.add_text_layer.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "bindings/bind.h"
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

}  // namespace

void bind_text(py::module_& m) {
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
