#include "audio/waveform.h"

#include <algorithm>
#include <cmath>
#include <deque>

#include "audio/mixer.h"
#include "util/errors.h"

namespace reelforge {

std::vector<float> waveform_points(const Timeline& tl, int points, int64_t window) {
  if (points < 1) throw InputError("waveform: points must be >= 1, got " + std::to_string(points));
  AudioMixer mixer(tl);
  const int sr = AudioMixer::kSampleRate;
  std::vector<float> out(size_t(tl.frame_count) * size_t(points), 0.0f);
  std::deque<float> mono;  // mono mix of samples [base, base + mono.size())
  int64_t base = 0, mixed = 0;
  std::vector<float> buf;
  for (int64_t i = 0; i < tl.frame_count; ++i) {
    const int64_t first = frame_first_sample(i, sr, tl.fps);
    const int64_t w = window > 0 ? window : frame_first_sample(i + 1, sr, tl.fps) - first;
    const int64_t need = first + w;
    if (need > mixed) {  // mix forward (zeros past the end come from the mixer itself)
      const int n = int(need - mixed);
      buf.resize(2 * size_t(n));
      mixer.mix(mixed, n, buf.data());
      for (int k = 0; k < n; ++k) mono.push_back(0.5f * (buf[2 * size_t(k)] + buf[2 * size_t(k) + 1]));
      mixed = need;
    }
    while (base < first && !mono.empty()) mono.pop_front(), ++base;
    for (int j = 0; j < points; ++j) {
      const int64_t a = j * w / points, b = std::max(a + 1, (j + 1) * w / points);
      float best = 0.0f;
      for (int64_t s = a; s < b && s < w; ++s) {
        const float v = mono[size_t(first - base + s)];
        if (std::fabs(v) > std::fabs(best)) best = v;
      }
      out[size_t(i) * size_t(points) + size_t(j)] = best;
    }
  }
  return out;
}

}  // namespace reelforge
