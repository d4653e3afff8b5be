// The export pipeline: decode/prefetch -> upload+composite+NV12+readback -> encode+mux, each on
// its own thread, joined by bounded queues (backpressure), with a watchdog, progress and cancel.
// Audio is mixed and encoded in the mux thread right after each video frame, so packets of both
// streams are produced together and written interleaved.
//
// Output formats (codec_specs() in media/video_encoder.h): h264/hevc (.mp4 .mov .mkv .m4v) and
// vp9 (.webm .mkv; Opus audio in .webm) take the GPU's NV12 readback; prores 4444 with alpha
// (.mov), gif (.gif) and png sequences (frames/%05d.png, or a folder ending in '/') take the
// premultiplied RGBA readback, converted on the render thread (RgbaConverter). gif and png carry
// no audio.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "media/video_encoder.h"
#include "timeline/timeline.h"

namespace reelforge {

struct ExportOptions {
  std::string path;           // file, image-sequence pattern or folder ending in '/'
  VideoEncodeOptions video;   // video.codec "auto": vp9 for .webm, gif for .gif, png for sequences, else h264
  int64_t audio_bitrate = 192000;
  double stall_timeout = 30.0;  // seconds without progress before ExportStalled
  int gpu_slots = 3;            // frames in flight on the GPU (staging ring)
  int queue_frames = 0;         // 0: from frame size and available memory
  std::string debug_stall;      // tests only: "decode", "render" or "encode" hangs at frame 1
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

// Resolves options.video.codec ("auto" or "" from the path) and checks it against the output:
// codec/container mismatches, a sequence pattern with a non-png codec, crf out of range. Raises
// InputError naming the codec, the container and the fix. Audio-only outputs ignore the codec.
// Returns the resolved codec ("" for audio-only outputs).
std::string resolve_output_codec(ExportOptions& options);

class Export {
 public:
  // Validates everything it can before any work (resolve_output_codec, stall_timeout).
  Export(std::shared_ptr<const Timeline> timeline, ExportOptions options, LogFn log = {});
  ~Export();  // cancels and joins if still running
  void start();
  // Waits up to `seconds`; true once the export has finished (successfully or not).
  bool wait_for(double seconds);
  ExportProgress progress() const;
  void cancel();
  // After wait_for() returned true: the result, or the export's exception rethrown.
  ExportResult result();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;  // shared with the supervisor thread
};

}  // namespace reelforge
