// How a decoded picture is shown: the rotation/flip of a stream's display matrix (ISO/IEC 14496-12
// tkhd matrix, AV_PKT_DATA_DISPLAYMATRIX), reduced to the 8 multiples of 90 degrees with flips,
// as ffmpeg's autorotate does (fftools: transpose / hflip / vflip by the rotation angle).
#pragma once
#include <cstdint>

struct AVStream;

namespace reelforge {

// Displayed picture (normalised coordinates s, t in 0..1, y down) -> decoded picture (u, v):
// (u', v') = transposed ? (t, s) : (s, t); u = flip_u ? 1 - u' : u'; v = flip_v ? 1 - v' : v'.
struct Orientation {
  bool transposed = false, flip_u = false, flip_v = false;
  bool identity() const { return !transposed && !flip_u && !flip_v; }
  // Clockwise degrees the display turns the decoded picture by (0, 90, 180, 270), ignoring flips.
  int rotation = 0;
};

// From a display matrix (9 x int32, 16.16 / 2.30 fixed point as in libavutil/display.h); nullptr:
// identity. Angles that are not multiples of 90 degrees (within 1) are ignored.
Orientation orientation_from_display_matrix(const int32_t* matrix);
// From the stream's AV_PKT_DATA_DISPLAYMATRIX side data (identity without one).
Orientation stream_orientation(const AVStream* stream);

}  // namespace reelforge
