#include "audio/limiter.h"

#include <algorithm>
#include <cmath>

namespace reelforge {

namespace {
constexpr double kPi = 3.14159265358979323846;
constexpr double kReleaseSeconds = 0.050;
}  // namespace

TruePeakLimiter::TruePeakLimiter(double ceiling_db, int sample_rate)
    : ceiling_(std::pow(10.0, (ceiling_db - kMarginDb) / 20.0)),
      release_(1.0 - std::exp(-1.0 / (kReleaseSeconds * sample_rate))),
      box_(kLookahead, 1.0) {
  // Point m + f (f = p/4) from samples m - 5 .. m + 6: sinc(f - i) under a Hann window of
  // half-width kHalfTaps + 0.5, normalised so each phase passes DC at unity.
  for (int p = 1; p <= 3; ++p) {
    const double f = p / 4.0;
    double sum = 0;
    for (int j = 0; j < 2 * kHalfTaps; ++j) {
      const double t = f - (j - (kHalfTaps - 1));
      const double w = 0.5 * (1 + std::cos(kPi * t / (kHalfTaps + 0.5)));
      const double s = t == 0 ? 1.0 : std::sin(kPi * t) / (kPi * t);
      phase_[p - 1][j] = float(s * w);
      sum += s * w;
    }
    double abs_sum = 0;
    for (float& c : phase_[p - 1]) {
      c = float(c / sum);
      abs_sum += std::fabs(c);
    }
    gain_bound_ = std::max(gain_bound_, abs_sum);
  }
  int64_t size = 1;
  while (size < latency() + 2 * kHalfTaps + 2) size *= 2;
  ring_.assign(size_t(2 * size), 0.0f);
  mask_ = size - 1;
}

float TruePeakLimiter::in_at(int64_t i, int ch) const {
  return i < 0 ? 0.0f : ring_[size_t(2 * (i & mask_) + ch)];
}

double TruePeakLimiter::required_gain(int64_t m) const {
  // No interpolated point exceeds gain_bound_ times the largest sample it is made of: most
  // samples are far enough under the ceiling to skip the interpolation.
  double window_max = 0;
  for (int j = 0; j < 2 * kHalfTaps; ++j)
    for (int ch = 0; ch < 2; ++ch) window_max = std::max(window_max, double(std::fabs(in_at(m + j - (kHalfTaps - 1), ch))));
  if (window_max * gain_bound_ <= ceiling_) return 1.0;
  double peak = 0;
  for (int ch = 0; ch < 2; ++ch) {
    peak = std::max(peak, double(std::fabs(in_at(m, ch))));
    for (const auto& taps : phase_) {
      double v = 0;
      for (int j = 0; j < 2 * kHalfTaps; ++j) v += taps[j] * in_at(m + j - (kHalfTaps - 1), ch);
      peak = std::max(peak, std::fabs(v));
    }
  }
  return peak > ceiling_ ? ceiling_ / peak : 1.0;
}

void TruePeakLimiter::process(float* io, int n) {
  for (int i = 0; i < n; ++i) {
    const int64_t idx = count_++;
    ring_[size_t(2 * (idx & mask_))] = io[2 * i];
    ring_[size_t(2 * (idx & mask_) + 1)] = io[2 * i + 1];
    // r[m] needs samples up to m + kHalfTaps.
    const int64_t m = idx - kHalfTaps;
    const double r = m >= 0 ? required_gain(m) : 1.0;
    while (!mins_.empty() && mins_.back().second >= r) mins_.pop_back();
    mins_.emplace_back(m, r);
    while (mins_.front().first < m - (kLookahead + 1)) mins_.pop_front();
    const double h = mins_.front().second;
    released_ = std::min(h, released_ + release_ * (1.0 - released_));
    double& slot = box_[size_t(((m % kLookahead) + kLookahead) % kLookahead)];
    box_sum_ += released_ - slot;
    slot = released_;
    const double g = std::min(1.0, box_sum_ / kLookahead);
    const int64_t j = m - kLookahead;  // the output sample: gains of j + 1 .. j + kLookahead averaged
    io[2 * i] = float(in_at(j, 0) * g);
    io[2 * i + 1] = float(in_at(j, 1) * g);
  }
}

}  // namespace reelforge
