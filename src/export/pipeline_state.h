// What the export stages share: the cancel flag, the first error, progress, the test hooks, and
// per stage a StageClock the watchdog reads.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "export/export_hooks.h"

namespace reelforge {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// One pipeline stage's bookkeeping for the watchdog and the per-stage fps report.
struct StageClock {
  explicit StageClock(std::string n) : name(std::move(n)) {}
  std::string name;
  std::atomic<int64_t> last_ns{0};
  std::atomic<int64_t> frame{0};
  std::atomic<bool> finished{false};
  std::atomic<bool> waiting{false};  // blocked on a queue (starved or back-pressured), not working
  double busy = 0.0;  // seconds spent working (written by the stage's thread only)
  int64_t frames = 0;

  void tick(int64_t f) {
    frame = f;
    last_ns = Clock::now().time_since_epoch().count();
  }
  // Runs a queue operation marked as waiting, so the watchdog blames the stage it waits on.
  template <class F>
  auto wait_on(F&& op) {
    waiting = true;
    auto r = op();
    waiting = false;
    return r;
  }
  // One frame done after working since `t`.
  void frame_done(int64_t f, Clock::time_point t) {
    busy += seconds_since(t);
    frames++;
    tick(f);
  }
};

struct PipelineState {
  std::atomic<bool> cancelled{false};
  std::atomic<int64_t> frames_done{0};
  ExportHooks hooks;

  mutable std::mutex m;
  std::condition_variable cv;
  std::exception_ptr error;  // guarded by m
  std::string phase = "starting";

  void set_phase(const std::string& p) {
    std::lock_guard lk(m);
    phase = p;
  }
  // First error wins; everything else stops.
  void fail(std::exception_ptr e) {
    std::lock_guard lk(m);
    if (!error) error = e;
    cancelled = true;
  }
  bool failed() const {
    std::lock_guard lk(m);
    return error != nullptr;
  }
  void check_cancel() const;
  // The test hook, if any, before `stage` works on `frame`.
  void before_frame(const StageClock& stage, int64_t frame) const {
    if (hooks.before_frame) hooks.before_frame(stage.name, frame, cancelled);
  }
};

// Runs `body` on a new thread as `clock`'s stage: an exception is recorded as the export's error
// and `on_error` (closing the queues) wakes the other stages; `clock.finished` is set at the end.
std::thread start_stage(PipelineState& st, StageClock& clock, std::function<void()> body,
                        std::function<void()> on_error);

}  // namespace reelforge
