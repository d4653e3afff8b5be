#include "timeline/audio_dynamics.h"

#include <cmath>
#include <string>

#include "timeline/timeline.h"
#include "util/errors.h"

namespace reelforge {

namespace {
bool finite_positive(double v) { return std::isfinite(v) && v > 0; }
}  // namespace

void validate_audio_dynamics(const Timeline& tl) {
  const int n = int(tl.audio.size());
  for (int i = 0; i < n; ++i) {
    const AudioClip& c = tl.audio[size_t(i)];
    const ClipDucking& d = c.duck;
    if (d.keys.empty()) continue;
    const std::string what = "audio clip '" + c.path + "' ducking: ";
    for (int k : d.keys) {
      if (k < 0 || k >= n) throw InputError(what + "key index " + std::to_string(k) + " is not a clip of the timeline");
      if (k == i) throw InputError(what + "a clip cannot duck under itself");
    }
    if (!(std::isfinite(d.amount_db) && d.amount_db < 0))
      throw InputError(what + "amount_db must be a negative number of dB, e.g. -12");
    if (!std::isfinite(d.threshold_db)) throw InputError(what + "threshold_db must be a finite dBFS level, e.g. -30");
    if (!finite_positive(d.attack) || !finite_positive(d.release))
      throw InputError(what + "attack and release must be positive numbers of seconds");
    if (!(std::isfinite(d.hold) && d.hold >= 0)) throw InputError(what + "hold must be >= 0 seconds");
  }
  const AudioMaster& m = tl.audio_master;
  if (!std::isfinite(m.gain_db) || std::fabs(m.gain_db) > 200)
    throw InputError("audio master gain_db must be a finite number of dB within -200..200");
  if (m.limit && !(std::isfinite(m.true_peak_db) && m.true_peak_db <= 0 && m.true_peak_db >= -60))
    throw InputError("audio master true_peak_db must be within -60..0 dBTP, e.g. -1");
}

}  // namespace reelforge
