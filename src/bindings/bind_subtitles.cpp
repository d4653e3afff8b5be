// _core.AssGenerator: libass subtitles as a generated layer (src/subtitles/ass_generator.h).
#include <pybind11/stl.h>

#include "bindings/bind.h"
#include "subtitles/ass_generator.h"

namespace py = pybind11;

namespace reelforge {

void bind_subtitles(py::module_& m) {
  py::class_<AssGenerator, ImageGenerator, std::shared_ptr<AssGenerator>>(m, "AssGenerator",
      "ASS/SSA script rendered by libass, one picture per frame (script time\n"
      "floor(frame * 1000 / fps) - offset_ms) at the size its layer is displayed at (PlayResX/Y scaled\n"
      "to it, as players do); unchanged pictures are reused.")
      .def(py::init<const std::string&, int64_t, int64_t, int64_t, const std::string&>(), py::arg("script"),
           py::arg("fps_num"), py::arg("fps_den"), py::arg("offset_ms") = 0, py::arg("default_font") = "",
           py::call_guard<py::gil_scoped_release>())
      .def("events",
           [](const AssGenerator& g) {
             std::vector<std::pair<int64_t, int64_t>> out;
             for (const AssEvent& e : g.events()) out.emplace_back(e.start_ms, e.end_ms);
             return out;
           },
           "The script's events as (start_ms, end_ms), script time, in file order.")
      .def("script_ms", &AssGenerator::script_ms, py::arg("frame"), "Script time (ms) rendered at a timeline frame.");
}

}  // namespace reelforge
