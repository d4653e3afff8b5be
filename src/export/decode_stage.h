// The export's decode stage: the CPU side of frames [first, last) (video decoding, per-frame
// placements; FrameFeeder) pushed in order into the render stage's queue.
#pragma once
#include "export/pipeline_state.h"
#include "render/frame_feeder.h"
#include "util/bounded_queue.h"

namespace reelforge {

// Pushes FrameFeeder::frame(i) for i in [first, last) into `out`, then closes it (returns early
// when `out` is aborted; ExportCancelled on cancel).
void run_decode_stage(FrameFeeder& feeder, int64_t first, int64_t last, BoundedQueue<FrameInputs>& out,
                      PipelineState& st, StageClock& clock);

}  // namespace reelforge
