// Sidechain ducking of one clip under the level of other clips (issue 13, item 4), per sample.
#pragma once
#include <cstdint>

#include "timeline/audio_dynamics.h"

namespace reelforge {

// The model (tests/test_audio_ducking.py holds a numpy reference of exactly this):
//  - key power m[n] = (kL[n]^2 + kR[n]^2) / 2 of the keys' summed signal;
//  - detector p[n] = p[n-1] + a (m[n] - p[n-1]), a = 1 - exp(-1 / (kDetectorSeconds * rate)), p[-1] = 0
//    (a 10 ms RMS follower, so the gate does not chatter on zero crossings);
//  - active[n] = p[n] > 10^(threshold_db / 10), extended by `hold` seconds after it ends;
//  - gain g[n] in dB, g[-1] = 0: while active it falls by |amount_db| / (attack * rate) per sample
//    down to amount_db, else it rises by |amount_db| / (release * rate) per sample up to 0
//    (linear ramps in dB: the full amount takes exactly `attack`, the way back `release`);
//  - the clip's samples are multiplied by 10^(g[n] / 20).
class Ducker {
 public:
  static constexpr double kDetectorSeconds = 0.010;
  Ducker(const ClipDucking& d, int sample_rate);

  // `key`, `clip`: n interleaved stereo samples; `clip` is multiplied in place by the duck gain.
  void process(const float* key, float* clip, int n);

 private:
  double a_, threshold_, amount_, down_, up_;
  int64_t hold_samples_, held_ = 0;
  double p_ = 0.0, g_db_ = 0.0;
};

}  // namespace reelforge
