#include "audio/loudness.h"

#include <ebur128.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "audio/audio_source.h"
#include "audio/mixer.h"
#include "media/probe.h"
#include "util/errors.h"

namespace reelforge {

namespace {

constexpr int kChunk = 4096;

struct StateDeleter {
  void operator()(ebur128_state* s) const { ebur128_destroy(&s); }
};

// One libebur128 meter (48 kHz stereo) fed chunk by chunk.
class Meter {
 public:
  explicit Meter(unsigned channels, bool full = true) : channels_(channels), full_(full) {
    const int modes = full ? EBUR128_MODE_I | EBUR128_MODE_LRA | EBUR128_MODE_TRUE_PEAK | EBUR128_MODE_SAMPLE_PEAK
                           : EBUR128_MODE_I;
    st_.reset(ebur128_init(channels, AudioMixer::kSampleRate, modes));
    if (!st_) throw MediaError("loudness: libebur128 could not allocate a meter");
  }
  void add(const float* frames, size_t n) {
    if (n && ebur128_add_frames_float(st_.get(), frames, n) != EBUR128_SUCCESS)
      throw MediaError("loudness: libebur128 failed to take samples");
    samples_ += int64_t(n);
  }
  LoudnessReport report() const {
    LoudnessReport r;
    r.samples = samples_;
    if (ebur128_loudness_global(st_.get(), &r.integrated_lufs) != EBUR128_SUCCESS ||
        (full_ && ebur128_loudness_range(st_.get(), &r.range_lu) != EBUR128_SUCCESS))
      throw MediaError("loudness: libebur128 could not compute the loudness");
    if (!full_) return r;
    double tp = 0, sp = 0;
    for (unsigned ch = 0; ch < channels_; ++ch) {
      double v = 0;
      if (ebur128_true_peak(st_.get(), ch, &v) == EBUR128_SUCCESS) tp = std::max(tp, v);
      if (ebur128_sample_peak(st_.get(), ch, &v) == EBUR128_SUCCESS) sp = std::max(sp, v);
    }
    const auto to_db = [](double v) { return v > 0 ? 20 * std::log10(v) : -std::numeric_limits<double>::infinity(); };
    r.true_peak_db = to_db(tp);
    r.sample_peak_db = to_db(sp);
    if (!std::isfinite(r.range_lu)) r.range_lu = 0;
    return r;
  }

 private:
  unsigned channels_;
  bool full_;
  std::unique_ptr<ebur128_state, StateDeleter> st_;
  int64_t samples_ = 0;
};

}  // namespace

LoudnessReport measure_loudness(const Timeline& tl, bool full) {
  AudioMixer mixer(tl);
  Meter meter(2, full);
  std::vector<float> buf(2 * kChunk);
  for (int64_t pos = 0, end = mixer.total_samples(); pos < end; pos += kChunk) {
    const int n = int(std::min<int64_t>(kChunk, end - pos));
    mixer.mix(pos, n, buf.data());
    meter.add(buf.data(), size_t(n));
  }
  return meter.report();
}

LoudnessReport measure_file_loudness(const std::string& path) {
  // A mono file is one channel for BS.1770 (AudioSource copies it to both: +3 dB as stereo).
  const bool mono = probe(path).channels == 1;
  AudioSource src(path, 0.0);
  Meter meter(mono ? 1 : 2);
  std::vector<float> buf(2 * kChunk);
  for (int got; (got = src.read(buf.data(), kChunk)) > 0;) {
    if (mono)
      for (int i = 0; i < got; ++i) buf[size_t(i)] = buf[2 * size_t(i)];
    meter.add(buf.data(), size_t(got));
  }
  return meter.report();
}

}  // namespace reelforge
