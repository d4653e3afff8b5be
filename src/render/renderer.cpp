#include "render/renderer.h"

#include <cstring>

#include "util/errors.h"

namespace reelforge {

Renderer::Renderer(std::shared_ptr<const Timeline> tl) : tl_(std::move(tl)), feeder_(*tl_) {
  compositor_ = std::make_unique<Compositor>(VkContext::get(), tl_->width, tl_->height, tl_->background,
                                             feeder_.layer_sources(), 1, /*rgba_readback=*/true);
}

void Renderer::run(int64_t i, bool rgba, bool nv12) {
  if (i < 0 || i >= tl_->frame_count)
    throw InputError("frame index " + std::to_string(i) + " is outside the scene (0.." +
                     std::to_string(tl_->frame_count - 1) + ")");
  FrameInputs in = feeder_.frame(i);
  compositor_->submit(0, in.draws, rgba, nv12);
  compositor_->wait(0);
}

std::vector<uint8_t> Renderer::render_rgba(int64_t i) {
  std::lock_guard lock(mutex_);
  run(i, true, false);
  const size_t row = size_t(tl_->width) * 4, stride = size_t(compositor_->rgba_stride());
  std::vector<uint8_t> out(row * size_t(tl_->height));
  for (int y = 0; y < tl_->height; ++y) std::memcpy(&out[size_t(y) * row], compositor_->rgba(0) + size_t(y) * stride, row);
  return out;
}

void Renderer::render_nv12(int64_t i, std::vector<uint8_t>& y, std::vector<uint8_t>& uv) {
  std::lock_guard lock(mutex_);
  run(i, false, true);
  const int w = tl_->width, h = tl_->height, stride = compositor_->nv12_stride();
  const uint8_t* src = compositor_->nv12(0);
  y.resize(size_t(w) * h);
  uv.resize(size_t(w) * h / 2);
  for (int r = 0; r < h; ++r) std::memcpy(&y[size_t(r) * w], src + size_t(r) * stride, size_t(w));
  for (int r = 0; r < h / 2; ++r)
    std::memcpy(&uv[size_t(r) * w], src + size_t(stride) * h + size_t(r) * stride, size_t(w));
}

uint64_t Renderer::generated_uploads() {
  std::lock_guard lock(mutex_);
  return compositor_->generated_uploads();
}

uint64_t Renderer::video_conversions() {
  std::lock_guard lock(mutex_);
  return compositor_->video_conversions();
}

uint64_t Renderer::image_uploads() {
  std::lock_guard lock(mutex_);
  return compositor_->image_uploads();
}

size_t Renderer::images_resident() {
  std::lock_guard lock(mutex_);
  return compositor_->images_resident();
}

}  // namespace reelforge
