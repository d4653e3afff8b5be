// Ducking and master-bus settings of the timeline (timeline/audio_dynamics.h) and the loudness
// meter (audio/loudness.h).
#include <pybind11/stl.h>

#include "audio/loudness.h"
#include "audio/waveform.h"
#include "bindings/bind.h"
#include "timeline/audio_dynamics.h"

namespace py = pybind11;

namespace reelforge {

void bind_audio_dynamics(py::module_& m) {
  py::class_<ClipDucking>(m, "ClipDucking", "A clip ducked under other clips (see src/audio/ducker.h).")
      .def(py::init<>())
#define F(name) .def_readwrite(#name, &ClipDucking::name)
      F(keys) F(amount_db) F(threshold_db) F(attack) F(release) F(hold);
#undef F
  py::class_<AudioMaster>(m, "AudioMaster", "Master gain (dB) and true-peak limiter (dBTP) of the mix.")
      .def(py::init<>())
#define F(name) .def_readwrite(#name, &AudioMaster::name)
      F(gain_db) F(limit) F(true_peak_db);
#undef F
  py::class_<LoudnessReport>(m, "LoudnessReport", "BS.1770 / EBU R128 measurement (libebur128).")
#define F(name) .def_readonly(#name, &LoudnessReport::name)
      F(integrated_lufs) F(range_lu) F(true_peak_db) F(sample_peak_db) F(samples);
#undef F
}

void bind_loudness(py::module_& m) {
  m.def("measure_loudness", &measure_loudness, py::arg("timeline"), py::arg("full") = true,
        py::call_guard<py::gil_scoped_release>(),
        "Integrated loudness (LUFS), loudness range (LU), true peak (dBTP) and sample peak (dBFS) of the\n"
        "timeline's mix as exported (master stage included), measured with libebur128 (BS.1770-4).\n"
        "full=False: the integrated loudness only (range and peaks left 0), about twice as fast.\n"
        "Raises MediaError for unreadable clips.");
  m.def("measure_file_loudness", &measure_file_loudness, py::arg("path"), py::call_guard<py::gil_scoped_release>(),
        "As measure_loudness, for a file's audio stream decoded and resampled to 48 kHz stereo.\n"
        "Raises MediaError naming the file.");
  m.def(
      "waveform_points",
      [](const Timeline& tl, int points, int64_t window) {
        std::vector<float> v;
        {
          py::gil_scoped_release release;
          v = waveform_points(tl, points, window);
        }
        return to_array(std::move(v), {py::ssize_t(tl.frame_count), py::ssize_t(points)});
      },
      py::arg("timeline"), py::arg("points"), py::arg("window") = 0,
      "Per-frame waveform of the mix, float32 (frame_count, points): for frame i, `window` samples of the\n"
      "mono mix from floor(i*48000/fps) (0: the frame's own samples) split into `points` segments, each\n"
      "giving its sample of largest magnitude (sign kept). Raises ValueError (InputError) for points < 1.");
}

}  // namespace reelforge
