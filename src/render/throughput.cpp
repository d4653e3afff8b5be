#include "render/throughput.h"

#include <time.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "gpu/compositor.h"
#include "render/frame_feeder.h"
#include "util/errors.h"

namespace reelforge {

namespace {
double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}
}  // namespace

ThroughputResult measure_throughput(std::shared_ptr<const Timeline> tl, const ThroughputOptions& o) {
  if (o.frames <= 0 || o.distinct <= 0 || o.warmup < 0 || o.slots <= 0)
    throw InputError("throughput: frames, distinct and slots must be > 0 and warmup >= 0");
  tl->validate();
  FrameFeeder feeder(*tl);
  const int64_t distinct = std::min(o.distinct, tl->frame_count);
  std::vector<FrameInputs> inputs;
  for (int64_t i = 0; i < distinct; ++i) inputs.push_back(feeder.frame(i));
  auto ctx = VkContext::get();
  Compositor comp(ctx, tl->width, tl->height, tl->background, feeder.layer_sources(), o.slots, !o.nv12);
  using Clock = std::chrono::steady_clock;
  ThroughputResult r;
  r.device = comp.device_name();
  switch (ctx->props.deviceType) {
    case VK_PHYSICAL_DEVICE_TYPE_CPU: r.device_type = "cpu"; break;
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: r.device_type = "discrete"; break;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: r.device_type = "integrated"; break;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: r.device_type = "virtual"; break;
    default: r.device_type = "other";
  }
  double submit = 0.0;
  auto run = [&](int64_t n, int64_t first) {
    for (int64_t k = 0; k < n; ++k) {
      const int slot = int((first + k) % comp.slots());
      comp.wait(slot);  // the frame `slots` ago
      const auto t0 = Clock::now();
      comp.submit(slot, inputs[size_t((first + k) % distinct)].draws, !o.nv12, o.nv12);
      submit += std::chrono::duration<double>(Clock::now() - t0).count();
    }
    for (int s = 0; s < comp.slots(); ++s) comp.wait(s);
  };
  run(o.warmup, 0);
  submit = 0.0;
  const double c0 = process_cpu_seconds();
  const auto t0 = Clock::now();
  run(o.frames, o.warmup);
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  r.cpu_seconds = process_cpu_seconds() - c0;
  r.submit_seconds = submit;
  r.frames = o.frames;
  r.fps = r.seconds > 0 ? double(o.frames) / r.seconds : 0.0;
  return r;
}

}  // namespace reelforge
