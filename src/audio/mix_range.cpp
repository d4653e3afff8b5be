#include "audio/mix_range.h"

#include <algorithm>
#include <vector>

#include "audio/audio_source.h"
#include "audio/mixer.h"
#include "util/errors.h"

namespace reelforge {

namespace {
constexpr int kChunk = 4096;  // samples per mix() call
}  // namespace

std::vector<float> mix_range(const Timeline& tl, int64_t start, int64_t count) {
  if (start < 0) throw InputError("mix_audio: start must be >= 0 samples, got " + std::to_string(start));
  AudioMixer mixer(tl);
  if (count < 0) count = std::max<int64_t>(0, mixer.total_samples() - start);
  std::vector<float> result(size_t(2 * count));
  float* out = result.data();
  std::vector<float> buf(2 * kChunk);
  for (int64_t pos = 0, end = start + count; pos < end; pos += kChunk) {
    mixer.mix(pos, kChunk, buf.data());
    const int64_t lo = std::max(pos, start), hi = std::min(pos + kChunk, end);
    if (lo < hi) std::copy(buf.data() + 2 * (lo - pos), buf.data() + 2 * (hi - pos), out + 2 * (lo - start));
  }
  return result;
}

double decoded_audio_seconds(const std::string& path) {
  AudioSource src(path, 0.0);
  std::vector<float> buf(2 * kChunk);
  int64_t samples = 0;
  for (int got; (got = src.read(buf.data(), kChunk)) > 0;) samples += got;
  return double(samples) / AudioSource::kSampleRate;
}

}  // namespace reelforge
