#include "media/frame_pool.h"

#include <new>

#include "util/errors.h"

extern "C" {
#include <libavutil/imgutils.h>
}

namespace reelforge {

FramePool::FramePool(AVPixelFormat format, int width, int height) : format_(format), width_(width), height_(height) {
  // Rows aligned to 64 bytes, as av_frame_get_buffer does for SIMD-friendly encoder input.
  if (av_image_fill_linesizes(linesize_, format, (width + 63) & ~63) < 0)
    throw Error("frame pool: unsupported pixel format " + std::to_string(int(format)));
  ptrdiff_t linesizes[4];
  for (int k = 0; k < 4; ++k) linesizes[k] = linesize_[k];
  size_t sizes[4] = {};
  if (av_image_fill_plane_sizes(sizes, format, height, linesizes) < 0)
    throw Error("frame pool: cannot lay out " + std::to_string(width) + "x" + std::to_string(height) + " frames");
  size_t size = 0;
  for (int k = 0; k < 4 && sizes[k]; ++k) offset_[k] = ptrdiff_t(size), size += sizes[k], planes_ = k + 1;
  pool_.reset(av_buffer_pool_init(size + 64, nullptr));
  if (!pool_) throw std::bad_alloc();
}

FramePtr FramePool::get() {
  FramePtr f = make_frame();
  f->buf[0] = av_buffer_pool_get(pool_.get());
  if (!f->buf[0]) throw std::bad_alloc();
  f->format = format_;
  f->width = width_;
  f->height = height_;
  for (int k = 0; k < planes_; ++k) {
    f->data[k] = f->buf[0]->data + offset_[k];
    f->linesize[k] = linesize_[k];
  }
  return f;
}

}  // namespace reelforge
