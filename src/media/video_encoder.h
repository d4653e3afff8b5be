// Opening a video encoder: `encoder="auto"` walks hardware encoders first, then the software one,
// recording why each was refused. Frames in are NV12 (or yuv420p where the encoder needs it).
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "media/ffmpeg_ptr.h"
#include "util/rational.h"

namespace reelforge {

struct VideoEncodeOptions {
  std::string codec = "h264";     // h264 | hevc
  std::string encoder = "auto";   // auto, or a libavcodec encoder name (libx264, h264_nvenc, ...)
  int crf = 23;                   // constant-quality level (x264/x265 crf, nvenc cq, qsv global_quality)
  std::string preset = "veryfast";
  int64_t bitrate = 0;            // > 0: average-bitrate mode instead of constant quality
  int gop = 0;                    // keyframe interval in frames; 0: 2 seconds
};

using LogFn = std::function<void(const std::string&)>;

struct OpenedEncoder {
  CodecContextPtr ctx;
  std::string name;
  std::vector<std::string> refusals;  // "encoder: reason" for each encoder tried and refused
};

// Candidate encoder names for `codec`, in the order encoder="auto" tries them.
std::vector<std::string> encoder_candidates(const std::string& codec);

// Opens the first encoder that works (EncoderError listing every refusal if none does). An
// explicitly named encoder is the only candidate. `global_header`: the container wants extradata.
OpenedEncoder open_video_encoder(const VideoEncodeOptions& opt, int width, int height, Rational fps,
                                 bool global_header, const LogFn& log);

}  // namespace reelforge
