#include "export/watchdog.h"

#include <algorithm>
#include <string>

#include "util/errors.h"

namespace reelforge {

Watchdog::Watchdog(std::vector<StageClock*> stages, double timeout_seconds)
    : stages_(std::move(stages)), timeout_(timeout_seconds) {}

StageClock* Watchdog::stalled() const {
  const int64_t now = Clock::now().time_since_epoch().count();
  StageClock* oldest = nullptr;
  int64_t newest = 0;
  for (StageClock* c : stages_) {
    if (c->finished) continue;
    newest = std::max(newest, c->last_ns.load());
    const bool better = !oldest || (oldest->waiting && !c->waiting) ||
                        (oldest->waiting == c->waiting && c->last_ns < oldest->last_ns);
    if (better) oldest = c;
  }
  return oldest && now - newest > int64_t(timeout_ * 1e9) ? oldest : nullptr;
}

void Watchdog::watch(PipelineState& st) {
  std::unique_lock lk(st.m);
  for (;;) {
    if (std::all_of(stages_.begin(), stages_.end(), [](StageClock* c) { return c->finished.load(); })) return;
    st.cv.wait_for(lk, std::chrono::milliseconds(100));
    if (st.error) return;
    if (StageClock* s = stalled()) {
      lk.unlock();
      st.fail(std::make_exception_ptr(ExportStalled(
          "export stalled: no progress for " + std::to_string(timeout_) + " s; stage '" + s->name +
          "' is stuck after frame " + std::to_string(s->frame.load()))));
      return;
    }
  }
}

}  // namespace reelforge
