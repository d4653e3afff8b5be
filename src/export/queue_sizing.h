// Depth of the queues between export stages, from frame size and available memory.
#pragma once
#include <cstddef>

extern "C" {
#include <libavutil/pixfmt.h>
}

namespace reelforge {

// 2 to 4 frames per queue (enough to absorb jitter between stages; deeper queues only add memory
// and cache misses: at 4K, 8 frames made the export 30 % slower than 2), the two queues together
// at most min(64 MB, 1/16 of available memory). `requested` > 0 overrides.
size_t queue_depth(AVPixelFormat pix, int width, int height, int requested);

}  // namespace reelforge
