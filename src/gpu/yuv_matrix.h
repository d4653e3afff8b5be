// Y'CbCr -> R'G'B' for a decoded frame, from its own matrix coefficients and range.
#pragma once
#include <array>

struct AVFrame;

namespace reelforge {

// Rows r, g, b of a 3x4 matrix applied to (y, u, v, 1) with y, u, v the 8-bit plane values / 255.
// Coefficients per ITU-R BT.709 / BT.601 / BT.2020 (Kr, Kb); limited range maps 16..235 (Y) and
// 16..240 (C) to 0..1. Untagged sources: BT.709 when height >= 720, else BT.601; limited range
// unless tagged full (or yuvj).
std::array<std::array<float, 4>, 3> yuv_to_rgb_matrix(const AVFrame* frame);

}  // namespace reelforge
