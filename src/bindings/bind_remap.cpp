// _core.remap_decode_stats: how RemapSource decodes a sequence of source times (tests, benchmarks).
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "bindings/bind.h"
#include "media/remap_source.h"

namespace py = pybind11;

namespace reelforge {

void bind_remap(py::module_& m) {
  m.def(
      "remap_decode_stats",
      [](const std::string& path, const py::array_t<double, py::array::c_style | py::array::forcecast>& times) {
        std::vector<double> t(times.data(), times.data() + times.size());
        py::gil_scoped_release release;
        bool backward = false;
        for (size_t k = 1; k < t.size(); ++k) backward = backward || t[k] < t[k - 1];
        RemapSource src(path, false, backward);
        std::vector<double> shown;
        shown.reserve(t.size());
        for (double s : t) {
          const AVFrame* f = src.frame_at(s);
          const int64_t ts = f->best_effort_timestamp != AV_NOPTS_VALUE ? f->best_effort_timestamp : f->pts;
          shown.push_back(double(ts));
        }
        py::gil_scoped_acquire acquire;
        py::dict d;
        d["reopens"] = src.reopens();
        d["decoders"] = src.decoders();
        d["decoded"] = src.decoded();
        d["window_frames"] = src.window_capacity();
        d["pts"] = shown;
        return d;
      },
      py::arg("path"), py::arg("times"),
      "Decode the frames a time-remapped layer would show at source `times` (seconds) as the render\n"
      "does (media/remap_source.h) and report the work: reopens (each a seek), decoders (opened for\n"
      "them: a reopen seeks the same decoder when it can), frames decoded,\n"
      "window_frames (capacity of the backward window) and pts (stream pts of each frame shown).");
}

}  // namespace reelforge
