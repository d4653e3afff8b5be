// _core.mix_audio: the export pipeline's audio mix as a numpy array (src/audio/mix_range.h).
// _core.analyze_audio: per-frame levels and band energies of that mix (src/audio/analysis.h).
// _core.decoded_audio_seconds: a file's audio length found by decoding it.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <utility>

#include "audio/analysis.h"
#include "audio/mix_range.h"
#include "audio/mixer.h"
#include "bindings/bind.h"

namespace py = pybind11;

namespace reelforge {

void bind_audio(py::module_& m) {
  m.def(
      "mix_audio",
      [](const Timeline& tl, int64_t start, int64_t count) {
        std::vector<float> mix;
        {
          py::gil_scoped_release release;
          mix = mix_range(tl, start, count);
        }
        const auto n = py::ssize_t(mix.size() / 2);
        return to_array(std::move(mix), {n, 2});
      },
      py::arg("timeline"), py::arg("start") = 0, py::arg("count") = -1,
      "Mix the timeline's audio clips (48 kHz stereo float32), samples [start, start + count) as an (n, 2)\n"
      "array; count = -1 means up to total length (frame_first_sample(frame_count, 48000, fps)).\n"
      "Raises MediaError for unreadable files or clips without audio.");
  m.def(
      "analyze_audio",
      [](const Timeline& tl, int bands, double fmin, double fmax) {
        AudioAnalysisOptions opt;
        opt.bands = bands;
        opt.fmin = fmin;
        opt.fmax = fmax;
        AudioAnalysis r;
        {
          py::gil_scoped_release release;
          r = analyze_audio(tl, opt);
        }
        const auto n = py::ssize_t(r.frame_count);
        py::dict d;
        d["rms_db"] = to_array(std::move(r.rms_db), {n});
        d["peak"] = to_array(std::move(r.peak), {n});
        d["bands"] = to_array(std::move(r.band_db), {n, py::ssize_t(r.bands)});
        d["band_edges"] = to_array(std::move(r.band_edges), {py::ssize_t(r.bands) + 1});
        d["fft_size"] = r.fft_size;
        d["sample_rate"] = AudioMixer::kSampleRate;
        return d;
      },
      py::arg("timeline"), py::arg("bands") = 8, py::arg("fmin") = 40.0, py::arg("fmax") = 16000.0,
      "Per-frame features of the timeline's mixed audio (see src/audio/analysis.h), as a dict:\n"
      "rms_db (n,) dBFS over both channels, floor -120; peak (n,) max |x|; bands (n, bands) band energies in\n"
      "dB (Hann-windowed av_tx RDFT of the mono mix, power-of-two window centred on each frame);\n"
      "band_edges (bands + 1,) Hz, log-spaced from fmin to fmax; fft_size; sample_rate (48000).\n"
      "n = timeline.frame_count; frame i covers samples [floor(i*48000/fps), floor((i+1)*48000/fps)).\n"
      "Raises ValueError (InputError) for bands < 1 or not 0 < fmin < fmax <= 24000, MediaError for\n"
      "unreadable clips. Releases the GIL.");
  m.def("decoded_audio_seconds", &decoded_audio_seconds, py::arg("path"), py::call_guard<py::gil_scoped_release>(),
        "Seconds of audio in the file, found by decoding its best audio stream to the end (48 kHz samples /\n"
        "48000): for files whose container declares no duration. Raises MediaError naming the file.");
  m.attr("AUDIO_SAMPLE_RATE") = AudioMixer::kSampleRate;
  bind_loudness(m);
}

}  // namespace reelforge
