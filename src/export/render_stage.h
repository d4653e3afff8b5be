// The export's render stage: composites each decoded frame on the GPU (Compositor, with
// `slots` frames in flight) and turns the readback into an encoder frame: the NV12 readback
// copied (h264/hevc/vp9: the fast path; split into yuv420p for encoders that want it), or the
// RGBA readback converted (prores/gif/png; RgbaConverter). Works on any frame range: frames come
// out in the order they went in, with pts = frame index.
#pragma once
#include <memory>
#include <vector>

#include "export/pipeline_state.h"
#include "gpu/compositor.h"
#include "media/frame_pool.h"
#include "media/video_encoder.h"
#include "render/frame_feeder.h"
#include "util/bounded_queue.h"

namespace reelforge {

class RenderStage {
 public:
  // Frames for `enc` (its pixel format and colour tags), from the readback `input` names.
  RenderStage(const Timeline& tl, std::vector<LayerSource> sources, int slots, const VideoEncoder& enc,
              FrameInput input);
  const std::string& device() const { return comp_->device_name(); }
  // Renders every frame popped from `in` and pushes it to `out`, then closes `out`.
  void run(BoundedQueue<FrameInputs>& in, BoundedQueue<FramePtr>& out, PipelineState& st, StageClock& clock);

 private:
  // Waits for slot `s`, fills an encoder frame from its readback and pushes it to `out`.
  void emit(int s, BoundedQueue<FramePtr>& out, StageClock& clock);
  void copy_nv12(int s, AVFrame* f) const;

  int width_, height_;
  AVPixelFormat pix_;
  const AVCodecContext* enc_;  // colour tags
  bool rgba_;
  std::unique_ptr<Compositor> comp_;
  std::unique_ptr<RgbaConverter> converter_;
  FramePool frames_;
  std::vector<int64_t> in_slot_;  // frame index in flight per slot, -1: none
};

}  // namespace reelforge
