// The output rules, in one place (Python calls these through _core): which codec an output
// path gets, which containers hold which codec (codec_specs()), and the checks on every export
// option, all before any work.
#pragma once
#include <string>

#include "export/export_options.h"

namespace reelforge {

// True for an audio-only output path (.m4a .wav .mp3 .aac .opus .ogg .oga .flac).
bool is_audio_only_path(const std::string& path);
// The audio-only extensions, in documentation order.
const std::vector<std::string>& audio_only_extensions();

// Resolves options.video.codec ("auto" or "" from the path) and checks it against the output:
// codec/container mismatches, a sequence pattern with a non-png codec, an unknown extension, crf
// out of range. Raises InputError naming the codec, the container and the fix. Audio-only
// outputs ignore the codec. Returns the resolved codec ("" for audio-only outputs).
std::string resolve_output_codec(ExportOptions& options);

// Everything an export checks before it starts: resolve_output_codec, the frame size for the
// codec, the frame range, gpu_slots, audio_bitrate, stall_timeout (InputError naming the
// parameter), for a scene of `width` x `height` and `frame_count` frames. Resolves
// last_frame = -1 to frame_count. Returns the codec.
std::string validate_export_options(ExportOptions& options, int width, int height, int64_t frame_count);

}  // namespace reelforge
