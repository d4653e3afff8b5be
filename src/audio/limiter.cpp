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
  hist_.assign(2 * size_t(kHistory), 0.0f);
}

double TruePeakLimiter::required_gain(const float* w) const {
  // No interpolated point exceeds gain_bound_ times the largest sample it is made of: most
  // samples are far enough under the ceiling to skip the interpolation.
  float window_max = 0;
  for (int j = 0; j < 4 * kHalfTaps; ++j) window_max = std::max(window_max, std::fabs(w[j]));
  if (window_max * gain_bound_ <= ceiling_) return 1.0;
  // The sample m itself, then the points m + 1/4, 2/4, 3/4.
  double peak = std::max(std::fabs(w[2 * (kHalfTaps - 1)]), std::fabs(w[2 * (kHalfTaps - 1) + 1]));
  for (const auto& taps : phase_) {
    float l = 0, r = 0;
    for (int j = 0; j < 2 * kHalfTaps; ++j) {
      l += taps[j] * w[2 * j];
      r += taps[j] * w[2 * j + 1];
    }
    peak = std::max({peak, double(std::fabs(l)), double(std::fabs(r))});
  }
  return peak > ceiling_ ? ceiling_ / peak : 1.0;
}

void TruePeakLimiter::process(float* io, int n) {
  const size_t kept = hist_.size();
  hist_.insert(hist_.end(), io, io + 2 * size_t(n));
  for (int i = 0; i < n; ++i) {
    const int64_t idx = count_++;
    // r[m] needs samples up to m + kHalfTaps.
    const int64_t m = idx - kHalfTaps;
    const double r = required_gain(&hist_[2 * size_t(m - (kHalfTaps - 1) - base_)]);
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
    const float* x = &hist_[2 * size_t(j - base_)];
    io[2 * i] = float(x[0] * g);
    io[2 * i + 1] = float(x[1] * g);
  }
  // Keep the last kHistory frames for the next call.
  hist_.erase(hist_.begin(), hist_.end() - std::ptrdiff_t(kept));
  base_ = count_ - kHistory;
}

}  // namespace reelforge
