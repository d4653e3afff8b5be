// A window of the timeline's audio mix, exactly as an export of it contains it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "timeline/timeline.h"

namespace reelforge {

// Samples [start, start + count) of the mix of `tl` as interleaved 48 kHz stereo float
// (2 * count floats); count < 0: up to the end, frame_first_sample(frame_count, 48000, fps). The mixer only streams forward, so this mixes from sample 0 as the exporter does
// and keeps the window: the result is bit-identical to the exported track's samples (before
// encoding). Samples past the end are 0. Throws InputError for start < 0, MediaError naming
// the file for unreadable clips.
std::vector<float> mix_range(const Timeline& tl, int64_t start, int64_t count);

// Seconds of audio in `path` found by decoding it to the end (48 kHz samples / 48000), for files
// whose container declares no duration. Throws MediaError naming the file.
double decoded_audio_seconds(const std::string& path);

}  // namespace reelforge
