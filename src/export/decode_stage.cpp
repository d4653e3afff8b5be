#include "export/decode_stage.h"

namespace reelforge {

void run_decode_stage(FrameFeeder& feeder, int64_t first, int64_t last, BoundedQueue<FrameInputs>& out,
                      PipelineState& st, StageClock& clock) {
  for (int64_t i = first; i < last; ++i) {
    st.check_cancel();
    st.before_frame(clock, i);
    const auto t0 = Clock::now();
    FrameInputs in = feeder.frame(i);
    clock.frame_done(i, t0);
    if (!clock.wait_on([&] { return out.push(std::move(in)); })) return;
  }
  out.close();
}

}  // namespace reelforge
