// GPU throughput of a scene without decoding or encoding: upload + convert + composite + NV12
// (or RGBA) + readback into host memory, with every compositor slot in flight. The inputs of the
// first `distinct` frames are decoded once beforehand and then submitted in turn, so the figure
// is what the GPU side of an export can sustain (the benchmark of a lent GPU; see
// benchmarks/bench_gpu_composite.py).
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "timeline/timeline.h"

namespace reelforge {

struct ThroughputOptions {
  int64_t frames = 300;   // frames submitted in the timed run
  int64_t distinct = 30;  // distinct frames decoded up front and cycled (from frame 0)
  int warmup = 10;        // untimed frames first (pipelines, pools)
  int slots = 3;          // frames in flight (the export default)
  bool nv12 = true;       // false: the RGBA8 readback instead
};

struct ThroughputResult {
  int64_t frames = 0;
  double seconds = 0.0, fps = 0.0;
  double cpu_seconds = 0.0;     // this process's CPU time over the timed run (all threads)
  double submit_seconds = 0.0;  // the part spent recording and submitting (CPU)
  std::string device;
  std::string device_type;  // cpu, discrete, integrated, virtual or other (VkPhysicalDeviceType)
};

ThroughputResult measure_throughput(std::shared_ptr<const Timeline> timeline, const ThroughputOptions& options);

}  // namespace reelforge
