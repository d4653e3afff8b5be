// Look-ahead true-peak limiter for the master bus (issue 13, item 4: loudness normalisation with
// a true-peak ceiling). "True peak" as ITU-R BS.1770-4 Annex 2: the peak of the signal
// oversampled 4x, which catches inter-sample overs that a sample-peak limiter misses.
#pragma once
#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

namespace reelforge {

// Streaming, stereo-linked, interleaved stereo float. For each input sample m the required gain
// r[m] = min(1, ceiling / tp[m]), where tp[m] is the largest |x| of either channel at m and at the
// three 4x-interpolated points between m and m + 1 (windowed-sinc, 12 taps per phase). The applied
// gain is r's minimum over a window of kLookahead + 2 samples, with a 50 ms release (it rises
// back exponentially but never above that minimum), then averaged over kLookahead samples: a
// 5 ms linear attack that reaches every over before it arrives. So the output's sample and
// interpolated peaks stay at or below the ceiling (the gain is at most r at each sample and its
// neighbour), with no clipping distortion. It aims kMarginDb below the ceiling: true-peak meters
// interpolate differently (libebur128, ffmpeg's ebur128 filter) and the gain moves between samples.
// Output is delayed by latency() samples.
class TruePeakLimiter {
 public:
  static constexpr int kLookahead = 240;  // samples at 48 kHz (5 ms)
  static constexpr int kHalfTaps = 6;     // interpolator reach each side (12 taps per phase)
  static constexpr double kMarginDb = 0.1;

  TruePeakLimiter(double ceiling_db, int sample_rate);
  int latency() const { return kHalfTaps + kLookahead; }

  // n stereo samples in place: io receives the limited input delayed by latency().
  void process(float* io, int n);

 private:
  // r[m] from the 2 * kHalfTaps frames w = input samples m - kHalfTaps + 1 .. m + kHalfTaps.
  double required_gain(const float* w) const;

  double ceiling_, release_;
  double gain_bound_ = 1.0;              // max over phases of sum |taps|
  float phase_[3][2 * kHalfTaps];        // interpolation taps for phases 1/4, 2/4, 3/4
  static constexpr int kHistory = kLookahead + 2 * kHalfTaps;  // frames kept between calls
  std::vector<float> hist_;              // input frames [base_, count_), stereo; zeros before 0
  int64_t base_ = -kHistory, count_ = 0;  // absolute index of hist_[0]; input samples seen
  std::deque<std::pair<int64_t, double>> mins_;  // monotonic queue: running minimum of r
  std::vector<double> box_;              // the last kLookahead released gains
  double box_sum_ = kLookahead, released_ = 1.0;
};

}  // namespace reelforge
