// Per-frame waveform points of a timeline's mix for audio-reactive layers (issue 13, item 5).
#pragma once
#include <cstdint>
#include <vector>

#include "timeline/timeline.h"

namespace reelforge {

// For frame i, the window of `window` samples of the mono mix (L + R) / 2 starting at
// first(i) = floor(i * 48000 / fps) (window <= 0: the frame's own samples) is split into `points`
// segments [floor(j * W / P), floor((j + 1) * W / P)); point j is the segment's sample of largest
// magnitude, sign kept (peak-preserving decimation, so a short transient is never lost). Samples
// past the end are 0. Returns frame_count * points values, row-major. Streams the AudioMixer:
// memory O(window + frame_count * points). Throws InputError for points < 1, MediaError from the mixer.
std::vector<float> waveform_points(const Timeline& tl, int points, int64_t window);

}  // namespace reelforge
