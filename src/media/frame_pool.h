// Video frames of one format and size whose buffers are recycled through an AVBufferPool: an
// export hands the encoder a new frame every frame, and allocating it afresh each time costs a
// page fault (and the kernel's zeroing) per 4 KiB of every frame.
#pragma once
#include <memory>

#include "media/ffmpeg_ptr.h"

extern "C" {
#include <libavutil/buffer.h>
}

namespace reelforge {

class FramePool {
 public:
  FramePool(AVPixelFormat format, int width, int height);
  // A frame with format, size, linesizes and writable planes (and PAL8's palette plane) set; its
  // buffer returns to the pool when the last reference to it is freed.
  FramePtr get();

 private:
  struct PoolDeleter { void operator()(AVBufferPool* p) const { av_buffer_pool_uninit(&p); } };
  AVPixelFormat format_;
  int width_, height_;
  int linesize_[4] = {};
  ptrdiff_t offset_[4] = {};
  int planes_ = 0;
  std::unique_ptr<AVBufferPool, PoolDeleter> pool_;
};

}  // namespace reelforge
