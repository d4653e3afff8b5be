#include "export/pipeline_state.h"

#include "util/errors.h"

namespace reelforge {

void PipelineState::check_cancel() const {
  if (cancelled) throw ExportCancelled("export cancelled");
}

std::thread start_stage(PipelineState& st, StageClock& clock, std::function<void()> body,
                        std::function<void()> on_error) {
  return std::thread([&st, &clock, body = std::move(body), on_error = std::move(on_error)] {
    try {
      body();
    } catch (...) {
      st.fail(std::current_exception());
      on_error();
    }
    clock.finished = true;
    st.cv.notify_all();
  });
}

ExportHooks stall_hooks(const std::string& stage, int64_t frame) {
  ExportHooks h;
  h.before_frame = [stage, frame](const std::string& s, int64_t f, const std::atomic<bool>& cancelled) {
    if (s == stage && f == frame)
      while (!cancelled) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  };
  return h;
}

}  // namespace reelforge
