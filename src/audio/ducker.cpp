#include "audio/ducker.h"

#include <algorithm>
#include <cmath>

namespace reelforge {

Ducker::Ducker(const ClipDucking& d, int sample_rate)
    : a_(1.0 - std::exp(-1.0 / (kDetectorSeconds * sample_rate))),
      threshold_(std::pow(10.0, d.threshold_db / 10.0)),
      amount_(d.amount_db),
      down_(-d.amount_db / (d.attack * sample_rate)),
      up_(-d.amount_db / (d.release * sample_rate)),
      hold_samples_(std::llround(d.hold * sample_rate)) {}

void Ducker::process(const float* key, float* clip, int n) {
  for (int i = 0; i < n; ++i) {
    const double l = key[2 * i], r = key[2 * i + 1];
    p_ += a_ * (0.5 * (l * l + r * r) - p_);
    bool active = p_ > threshold_;
    if (active) held_ = hold_samples_;
    else if (held_ > 0) --held_, active = true;
    g_db_ = active ? std::max(amount_, g_db_ - down_) : std::min(0.0, g_db_ + up_);
    if (g_db_ != 0.0) {
      const float g = float(std::pow(10.0, g_db_ / 20.0));
      clip[2 * i] *= g;
      clip[2 * i + 1] *= g;
    }
  }
}

}  // namespace reelforge
