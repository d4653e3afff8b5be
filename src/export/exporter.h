// The export pipeline: decode/prefetch -> upload+composite+NV12+readback -> encode+mux, each on
// its own thread, joined by bounded queues (backpressure), with a watchdog, progress and cancel.
// Audio is mixed and encoded in the mux thread right after each video frame, so packets of both
// streams are produced together and written interleaved.
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
  std::string path;
  VideoEncodeOptions video;
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
  int64_t frames = 0;
  int64_t audio_samples = 0;
  double seconds = 0.0, fps = 0.0;
  std::map<std::string, double> stage_fps;  // frames per second of busy time, per stage
  std::vector<std::string> refusals;
};

class Export {
 public:
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
