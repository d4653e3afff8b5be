#include "export/render_stage.h"

#include <algorithm>
#include <cstring>

#include "gpu/vk_context.h"
#include "util/errors.h"

namespace reelforge {

RenderStage::RenderStage(const Timeline& t, std::vector<LayerSource> sources, int slots, const VideoEncoder& enc,
                         FrameInput input)
    : width_(t.width),
      height_(t.height),
      pix_(enc.ctx()->pix_fmt),
      enc_(enc.ctx()),
      rgba_(input == FrameInput::Rgba),
      comp_(std::make_unique<Compositor>(VkContext::get(), t.width, t.height, t.background, std::move(sources),
                                         std::max(1, slots), /*rgba_readback=*/rgba_)),
      frames_(pix_, t.width, t.height),
      in_slot_(size_t(comp_->slots()), -1) {
  if (rgba_) converter_ = std::make_unique<RgbaConverter>(pix_, t.width, t.height);
}

void RenderStage::copy_nv12(int s, AVFrame* f) const {
  const uint8_t* src = comp_->nv12(s);
  const int stride = comp_->nv12_stride();
  for (int y = 0; y < height_; ++y)
    std::memcpy(f->data[0] + ptrdiff_t(y) * f->linesize[0], src + size_t(y) * stride, size_t(width_));
  const uint8_t* uv = src + size_t(stride) * height_;
  for (int y = 0; y < height_ / 2; ++y) {
    const uint8_t* row = uv + size_t(y) * stride;
    if (pix_ == AV_PIX_FMT_NV12) {
      std::memcpy(f->data[1] + ptrdiff_t(y) * f->linesize[1], row, size_t(width_));
    } else {  // yuv420p: split the interleaved CbCr row
      uint8_t* cb = f->data[1] + ptrdiff_t(y) * f->linesize[1];
      uint8_t* cr = f->data[2] + ptrdiff_t(y) * f->linesize[2];
      for (int x = 0; x < width_ / 2; ++x) cb[x] = row[2 * x], cr[x] = row[2 * x + 1];
    }
  }
}

void RenderStage::emit(int s, BoundedQueue<FramePtr>& out, StageClock& clock) {
  const auto t0 = Clock::now();
  comp_->wait(s);
  FramePtr f = frames_.get();
  if (rgba_)
    converter_->convert(comp_->rgba(s), comp_->rgba_stride(), f.get());  // prores / gif / png
  else
    copy_nv12(s, f.get());  // h264 / hevc / vp9: the fast path
  f->pts = in_slot_[size_t(s)];
  f->color_range = enc_->color_range;
  f->colorspace = enc_->colorspace;
  f->color_primaries = enc_->color_primaries;
  f->color_trc = enc_->color_trc;
  in_slot_[size_t(s)] = -1;
  clock.frame_done(f->pts, t0);
  if (!clock.wait_on([&] { return out.push(std::move(f)); })) throw ExportCancelled("export cancelled");
}

void RenderStage::run(BoundedQueue<FrameInputs>& in, BoundedQueue<FramePtr>& out, PipelineState& st,
                      StageClock& clock) {
  const int slots = comp_->slots();
  for (;;) {
    auto frame = clock.wait_on([&] { return in.pop(); });
    if (!frame) break;
    st.check_cancel();
    st.before_frame(clock, frame->index);
    const int s = int(frame->index % slots);
    if (in_slot_[size_t(s)] >= 0) emit(s, out, clock);  // frame index - slots: keeps output in order
    const auto t0 = Clock::now();
    comp_->submit(s, frame->draws, /*want_rgba=*/rgba_, /*want_nv12=*/!rgba_);
    clock.busy += seconds_since(t0);
    in_slot_[size_t(s)] = frame->index;
  }
  st.check_cancel();
  // Drain the ring in frame order.
  std::vector<std::pair<int64_t, int>> left;
  for (int s = 0; s < slots; ++s)
    if (in_slot_[size_t(s)] >= 0) left.push_back({in_slot_[size_t(s)], s});
  std::sort(left.begin(), left.end());
  for (auto [index, s] : left) emit(s, out, clock);
  out.close();
}

}  // namespace reelforge
