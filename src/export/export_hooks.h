// Test hooks of the export pipeline. Only tests set them (through the test-only binding
// _core.ExportHooks); an export built without hooks never calls anything.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

namespace reelforge {

struct ExportHooks {
  // Called by a stage ("decode", "render", "encode") before it works on `frame`; may block until
  // `cancelled` (a stage that hangs, for the watchdog tests).
  std::function<void(const std::string& stage, int64_t frame, const std::atomic<bool>& cancelled)> before_frame;
};

// Hooks that make `stage` hang at `frame` until the export is cancelled (or the watchdog fires).
ExportHooks stall_hooks(const std::string& stage, int64_t frame = 1);

}  // namespace reelforge
