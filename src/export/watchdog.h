// The export watchdog: an export may fail, never hang. With no progress from any stage for
// `timeout` seconds, it names the stuck stage: the one busy (not waiting on a queue) with the
// oldest progress; the others are only starved or back-pressured by it.
#pragma once
#include <exception>
#include <vector>

#include "export/pipeline_state.h"

namespace reelforge {

class Watchdog {
 public:
  Watchdog(std::vector<StageClock*> stages, double timeout_seconds);
  // Blocks until every stage has finished or an error was recorded; on a stall, records
  // ExportStalled as the export's error (cancelling it) and returns.
  void watch(PipelineState& st);

 private:
  // The stage to blame, or nullptr while some stage made progress within the timeout.
  StageClock* stalled() const;
  std::vector<StageClock*> stages_;
  double timeout_;
};

}  // namespace reelforge
