// Timeline data for the audio dynamics stages: per-clip ducking (a sidechain from other clips) and
// the master bus (one gain, e.g. from loudness normalisation, and a true-peak limiter).
#pragma once
#include <vector>

namespace reelforge {

struct Timeline;

// A clip ducked under other clips (AudioMixer, src/audio/ducker.h): while the keys' level is above
// threshold_db the clip's gain ramps down to amount_db (linearly in dB over `attack` seconds) and
// back up to 0 dB over `release` seconds once the level has stayed below it for `hold` seconds.
struct ClipDucking {
  std::vector<int> keys;       // indices into Timeline::audio; empty: not ducked
  double amount_db = -12.0;    // < 0
  double threshold_db = -30.0; // dBFS, key RMS (10 ms detector)
  double attack = 0.05;        // seconds, > 0
  double release = 0.4;        // seconds, > 0
  double hold = 0.0;           // seconds, >= 0
};

// Applied to the sum of all clips, before the mixer's soft limiter (AudioMixer, mixer.h).
struct AudioMaster {
  double gain_db = 0.0;       // e.g. loudness normalisation's gain
  bool limit = false;         // true-peak limiter on
  double true_peak_db = -1.0; // ceiling in dBTP (BS.1770 4x-oversampled peak), <= 0
};

// Throws InputError naming the clip for inconsistent ducking or master settings.
void validate_audio_dynamics(const Timeline& tl);

}  // namespace reelforge
