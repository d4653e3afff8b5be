#include "export/queue_sizing.h"

#include <unistd.h>

#include <algorithm>

extern "C" {
#include <libavutil/imgutils.h>
}

namespace reelforge {

size_t queue_depth(AVPixelFormat pix, int width, int height, int requested) {
  if (requested > 0) return size_t(requested);
  const size_t frame_bytes = size_t(std::max(1, av_image_get_buffer_size(pix, width, height, 1)));
  const long pages = sysconf(_SC_AVPHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  const size_t available = pages > 0 && page > 0 ? size_t(pages) * size_t(page) : size_t(1) << 31;
  const size_t budget = std::min<size_t>(size_t(64) << 20, available / 16);
  return std::clamp<size_t>(budget / frame_bytes / 2, 2, 4);
}

}  // namespace reelforge
