// Float -> 16-bit PCM with TPDF dither (issue 10, item 14): plain rounding turns quiet signals and
// fades into distortion correlated with the signal; triangular noise of +-1 LSB makes the error
// independent, benign noise at -101 dBFS. For encoders that take 16-bit samples (wav, mp3, flac).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace reelforge {

// Deterministic (a fixed seed per export gives bit-identical files run to run), no allocation.
class TpdfDither {
 public:
  explicit TpdfDither(uint32_t seed = 0x9E3779B9u) : state_(seed ? seed : 1u) {}

  // One sample in [-1, 1] (clamped) to int16.
  int16_t operator()(float v) {
    const float tpdf = uniform() - uniform();  // in (-1, 1) LSB, triangular
    const float x = std::max(-1.0f, std::min(1.0f, v)) * 32767.0f + tpdf;
    return int16_t(std::clamp(std::lrint(x), -32768L, 32767L));
  }

  // n samples, out[k * stride] = dither(in[k * in_stride]).
  void convert(const float* in, size_t in_stride, int16_t* out, size_t stride, size_t n) {
    for (size_t k = 0; k < n; ++k) out[k * stride] = (*this)(in[k * in_stride]);
  }

 private:
  float uniform() {  // xorshift32 -> [0, 1)
    state_ ^= state_ << 13;
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
    return float(state_ >> 8) * (1.0f / 16777216.0f);
  }
  uint32_t state_;
};

}  // namespace reelforge
