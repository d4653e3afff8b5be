// Loudness measurement per ITU-R BS.1770-4 / EBU R128 (libebur128): integrated loudness (gated),
// loudness range (EBU Tech 3342) and true peak (4x oversampled), of a timeline's mix or a file.
#pragma once
#include <cstdint>
#include <string>

#include "timeline/timeline.h"

namespace reelforge {

struct LoudnessReport {
  double integrated_lufs = 0;  // LUFS; -inf for silence (nothing passes the -70 LUFS gate)
  double range_lu = 0;         // LU (LRA)
  double true_peak_db = 0;     // dBTP, max over both channels; -inf for digital silence
  double sample_peak_db = 0;   // dBFS
  int64_t samples = 0;         // 48 kHz stereo samples measured
};

// The mix exactly as an export of the whole timeline contains it (AudioMixer, master stage and
// soft limiter included). `full` = false measures only the integrated loudness (no LRA, peaks 0:
// about twice as fast, for the normalisation's gain search). Throws MediaError for unreadable clips.
LoudnessReport measure_loudness(const Timeline& tl, bool full = true);

// A file's best audio stream, decoded and resampled to 48 kHz (AudioSource), with no gain or
// limiting: a mono file as one channel (as BS.1770 weighs it), more than two channels as their
// stereo downmix. Throws MediaError naming the file.
LoudnessReport measure_file_loudness(const std::string& path);

}  // namespace reelforge
