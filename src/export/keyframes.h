// Does a coded frame start a stream on its own? What the segment join checks at each segment's
// first packet (container keyframe flags can be wrong, so the bitstream is read).
#pragma once
#include <cstddef>
#include <cstdint>

namespace reelforge {

// True if the VP9 packet `data` (a frame, or a superframe: hidden frames first, index at the
// end) starts with a key frame: the first frame's uncompressed header (VP9 bitstream spec,
// section 6.2) has frame_marker 2, show_existing_frame 0, frame_type KEY_FRAME and the frame sync
// code 0x49 0x83 0x42. An intra-only frame is not one: it keeps the other reference slots.
bool vp9_starts_with_key_frame(const uint8_t* data, size_t size);

}  // namespace reelforge
