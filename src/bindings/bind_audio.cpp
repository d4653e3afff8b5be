// _core.mix_audio: the export pipeline's audio mix as a numpy array, for tests and analysis.
// _core.analyze_audio: per-frame levels and band energies of that mix (src/audio/analysis.h).
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <utility>

#include "audio/analysis.h"
#include "audio/mixer.h"
#include "bindings/bind.h"
#include "util/errors.h"

namespace py = pybind11;

namespace reelforge {

namespace {
// Moves `v` into a numpy array of `shape` without copying (the vector lives in a capsule).
py::array_t<double> to_numpy(std::vector<double>&& v, std::vector<py::ssize_t> shape) {
  auto* owned = new std::vector<double>(std::move(v));
  py::capsule free_when_done(owned, [](void* p) { delete static_cast<std::vector<double>*>(p); });
  return py::array_t<double>(shape, owned->data(), free_when_done);
}
}  // namespace

void bind_audio(py::module_& m) {
  m.def(
      "mix_audio",
      [](const Timeline& tl, int64_t start, int64_t count) {
        if (start < 0) throw InputError("mix_audio: start must be >= 0");
        AudioMixer mixer(tl);
        if (count < 0) count = std::max<int64_t>(0, mixer.total_samples() - start);
        py::array_t<float> arr({py::ssize_t(count), py::ssize_t(2)});
        float* dst = arr.mutable_data();
        {
          py::gil_scoped_release release;
          // The mixer only streams forward, so mix from 0 exactly as the exporter does and keep
          // [start, start + count): the result is what an export of this timeline contains.
          constexpr int kChunk = 4096;
          std::vector<float> buf(2 * kChunk);
          for (int64_t pos = 0, end = start + count; pos < end; pos += kChunk) {
            mixer.mix(pos, kChunk, buf.data());
            const int64_t lo = std::max(pos, start), hi = std::min(pos + kChunk, end);
            if (lo < hi) std::copy(buf.data() + 2 * (lo - pos), buf.data() + 2 * (hi - pos), dst + 2 * (lo - start));
          }
        }
        return arr;
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
        d["rms_db"] = to_numpy(std::move(r.rms_db), {n});
        d["peak"] = to_numpy(std::move(r.peak), {n});
        d["bands"] = to_numpy(std::move(r.band_db), {n, py::ssize_t(r.bands)});
        d["band_edges"] = to_numpy(std::move(r.band_edges), {py::ssize_t(r.bands) + 1});
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
  m.attr("AUDIO_SAMPLE_RATE") = AudioMixer::kSampleRate;
}

}  // namespace reelforge
