// What Scene needs to know about a media file before compiling: sizes, durations, streams.
#pragma once
#include <string>

namespace reelforge {

struct MediaInfo {
  bool has_video = false, has_audio = false;
  int width = 0, height = 0;  // coded size
  // Sample (pixel) aspect ratio: a pixel is sar_num/sar_den as wide as tall (1/1 when the file
  // does not say). Anamorphic sources (SAR 4:3, 32:27, ...) display at width * SAR x height.
  int sar_num = 1, sar_den = 1;
  double fps = 0.0;        // average frame rate of the video stream (0 for a still image)
  double duration = 0.0;   // seconds (container duration, or stream duration); 0 if unknown/still
  bool is_image = false;   // a single still picture (png, jpg, ...)
  int sample_rate = 0, channels = 0;
  std::string video_codec, audio_codec;
  int rotation = 0;  // display matrix: clockwise degrees (0, 90, 180, 270) the picture is shown turned by
};

// Throws MediaError naming the file if it is missing or unreadable.
MediaInfo probe(const std::string& path);

}  // namespace reelforge
