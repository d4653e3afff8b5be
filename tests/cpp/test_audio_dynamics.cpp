// Ducker and TruePeakLimiter (src/audio/ducker.h, limiter.h) on synthetic signals: the ducker's
// ramp lengths in samples, the limiter's latency, transparency and its ceiling against an
// independent 16x windowed-sinc reconstruction of the output.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "audio/ducker.h"
#include "audio/limiter.h"

using reelforge::ClipDucking;
using reelforge::Ducker;
using reelforge::TruePeakLimiter;

namespace {

constexpr int kRate = 48000;

// Peak of the band-limited signal through `x` (one channel of interleaved stereo), evaluated at
// 16 points per sample with a 64-tap-each-side Hann-windowed sinc.
double reconstructed_peak_db(const std::vector<float>& x, int ch) {
  const int n = int(x.size() / 2), reach = 64;
  double peak = 0;
  for (int i = 0; i < n; ++i)
    for (int p = 0; p < 16; ++p) {
      const double t = i + p / 16.0;
      double v = 0;
      for (int k = std::max(0, i - reach); k <= std::min(n - 1, i + reach); ++k) {
        const double d = t - k;
        const double w = 0.5 * (1 + std::cos(M_PI * d / (reach + 1)));
        v += x[2 * size_t(k) + size_t(ch)] * (d == 0 ? 1.0 : std::sin(M_PI * d) / (M_PI * d)) * w;
      }
      peak = std::max(peak, std::fabs(v));
    }
  return 20 * std::log10(peak);
}

}  // namespace

TEST_CASE("ducker ramps the full amount in attack seconds and back in release seconds") {
  ClipDucking d;
  d.amount_db = -12;
  d.threshold_db = -30;
  d.attack = 0.01;   // 480 samples
  d.release = 0.02;  // 960 samples
  Ducker duck(d, kRate);
  const int n = kRate;
  std::vector<float> key(2 * size_t(n), 0.0f), clip(2 * size_t(n), 1.0f);
  for (int i = 1000; i < 20000; ++i) key[2 * size_t(i)] = key[2 * size_t(i) + 1] = 0.5f;  // -6 dBFS DC
  duck.process(key.data(), clip.data(), n);
  const auto db = [&](int i) { return 20 * std::log10(double(clip[2 * size_t(i)])); };
  int on = 1000;
  while (db(on) == 0.0) ++on;
  CHECK(on < 1005);  // the 10 ms detector passes -30 dB within a few samples of a -6 dB step
  CHECK(db(on + 479) == doctest::Approx(-12.0).epsilon(1e-4));
  CHECK(db(on + 240) == doctest::Approx(-6.0 - 12.0 / 480).epsilon(1e-3));
  CHECK(db(19999) == doctest::Approx(-12.0));
  int off = 20000;
  while (db(off) <= -12.0 + 1e-9) ++off;
  CHECK(off - 20000 == doctest::Approx(0.010 * kRate * std::log(0.25 / 1e-3)).epsilon(0.01));  // detector decay
  CHECK(db(off + 958) > -0.1);
  CHECK(db(off + 1000) == 0.0);
}

TEST_CASE("limiter: delay of latency(), transparent under the ceiling") {
  TruePeakLimiter lim(-1.0, kRate);
  const int n = 4000;
  std::vector<float> in(2 * size_t(n));
  for (int i = 0; i < n; ++i) {
    in[2 * size_t(i)] = 0.5f * float(std::sin(2 * M_PI * 440.0 * i / kRate));
    in[2 * size_t(i) + 1] = 0.3f * float(std::cos(2 * M_PI * 1000.0 * i / kRate));
  }
  std::vector<float> out = in;
  lim.process(out.data(), n);
  const int d = lim.latency();
  for (int i = 0; i < n; ++i)
    for (int ch = 0; ch < 2; ++ch)
      REQUIRE(out[2 * size_t(i) + size_t(ch)] == (i < d ? 0.0f : in[2 * size_t(i - d) + size_t(ch)]));
}

TEST_CASE("limiter keeps the reconstructed peak under the ceiling") {
  for (double ceiling : {-1.0, -3.0}) {
    TruePeakLimiter lim(ceiling, kRate);
    const int n = 12000;
    std::vector<float> x(2 * size_t(n));
    for (int i = 0; i < n; ++i) {
      const double t = double(i) / kRate;
      const bool burst = std::fmod(t, 0.05) < 0.004;  // bursts near fs/4 with inter-sample peaks
      const double b = burst ? 1.4 * std::sin(2 * M_PI * 11025.0 * t + M_PI / 4) : 0.0;
      x[2 * size_t(i)] = float(0.2 * std::sin(2 * M_PI * 300.0 * t) + b);
      x[2 * size_t(i) + 1] = float(0.2 * std::sin(2 * M_PI * 500.0 * t) - 0.8 * b);
    }
    lim.process(x.data(), n);
    for (int ch = 0; ch < 2; ++ch) CHECK(reconstructed_peak_db(x, ch) <= ceiling + 0.02);
  }
}
