// Exact rational time: frame i shows content at t = i * den / num seconds (DESIGN.md "Time").
#pragma once
#include <cstdint>
#include <numeric>

namespace reelforge {

struct Rational {
  int64_t num = 30;
  int64_t den = 1;
  double to_double() const { return double(num) / double(den); }
};

// Time in seconds of frame `i` at frame rate `fps`.
inline double frame_time(int64_t i, Rational fps) { return double(i) * double(fps.den) / double(fps.num); }

// First audio sample of frame `i`: floor(i * rate / fps), exact integer math so 29.97 fps never drifts.
inline int64_t frame_first_sample(int64_t i, int64_t rate, Rational fps) {
  __int128 n = (__int128)i * rate * fps.den;
  return int64_t(n / fps.num);
}

}  // namespace reelforge
