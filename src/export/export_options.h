// What an export is asked to do (ExportOptions), how far it is (ExportProgress) and what it
// produced (ExportResult). Bound to Python as classes of the same names.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "media/video_encoder.h"

namespace reelforge {

struct ExportOptions {
  std::string path;           // file, image-sequence pattern or folder ending in '/'
  VideoEncodeOptions video;   // video.codec "auto": vp9 for .webm, gif for .gif, png for sequences, else h264
  int64_t audio_bitrate = 192000;
  double stall_timeout = 30.0;  // seconds without progress before ExportStalled
  int gpu_slots = 3;            // frames in flight on the GPU (staging ring), 1..16
  int queue_frames = 0;         // 0: from frame size and available memory
  int64_t first_frame = 0;      // frames [first_frame, last_frame) are exported, from pts 0
  int64_t last_frame = -1;      // -1: the timeline's frame_count
  std::string subtitles;        // SRT/VTT/ASS file muxed as a soft subtitle track ("" none)
};

struct ExportProgress {
  int64_t frames_done = 0, total_frames = 0;
  double elapsed = 0.0, fps = 0.0, eta = 0.0;  // seconds, frames/second, seconds
  std::string phase = "starting";              // starting, rendering, finishing, done, failed, cancelled
};

struct ExportResult {
  std::string path, encoder, audio_encoder, device;
  std::string video_codec;  // h264, hevc, vp9, prores, gif, png; "" for audio-only outputs
  int64_t frames = 0;
  int64_t audio_samples = 0;
  double seconds = 0.0, fps = 0.0;
  std::map<std::string, double> stage_fps;  // frames per second of busy time, per stage
  std::vector<std::string> refusals;
};

}  // namespace reelforge
