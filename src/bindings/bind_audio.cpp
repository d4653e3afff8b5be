// _core.mix_audio: the export pipeline's audio mix as a numpy array, for tests and analysis.
#include <pybind11/numpy.h>

#include <algorithm>

#include "audio/mixer.h"
#include "bindings/bind.h"
#include "util/errors.h"

namespace py = pybind11;

namespace reelforge {

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
  m.attr("AUDIO_SAMPLE_RATE") = AudioMixer::kSampleRate;
}

}  // namespace reelforge
