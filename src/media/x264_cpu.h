// libx264's CPU flags: AVX-512 only at frame widths where its code stays within its own data.
//
// libx264's AVX-512 mbtree_propagate_list (x264 r3095, common/x86/mc-a2.asm) works on 8
// macroblocks at a time and does not mask the last group of a row: when the width in macroblocks
// is not a multiple of 8 (e.g. 160 px = 10 MBs), the lanes past the row read the next row's data
// and, on the last row, the uninitialised padding of x264's frame allocation, and scatter what
// they compute into the reference frame's propagate costs. That padding holds whatever the heap
// held before (zeroed pages for the first encoder of a process, recycled memory afterwards), so
// the same frames encode to different bitstreams with CRF + mbtree (measured: the second segment
// of a segmented export differed from run to run; MALLOC_PERTURB_ changes the output of one
// ffmpeg -c:v libx264 run). The AVX2 and older paths stop at the row's end.
//
// At widths of a multiple of 8 macroblocks (128 px: 1280, 1920, 3840, ...) no lane runs past a
// row and x264 keeps its own choice, AVX-512 included, as ffmpeg's libx264 does: about 6 % less
// CPU for decode + scale + x264 at 1080p on an AVX-512 machine (benchmarks/README.md). The bytes
// are then the same run to run on one machine but not those of a machine without AVX-512 (the
// AVX-512 mbtree rounds differently), as with any x264 build.
#pragma once
#include <string>

namespace reelforge {

// x264's CPU flag for AVX-512 (X264_CPU_AVX512 in x264.h; a stable ABI value).
constexpr unsigned kX264CpuAvx512 = 1u << 16;

// Whether x264's AVX-512 mbtree reads only the frame's own rows at this width (pixels): the
// width in 16-px macroblocks is a multiple of 8.
constexpr bool x264_avx512_safe(int width) { return ((width + 15) / 16) % 8 == 0; }

// libavcodec's x264-params for a frame `width` pixels wide: "" where AVX-512 is safe (x264's own
// choice), else "asm=<flags>": the flags x264 detects on this machine minus AVX-512. Also ""
// when x264_cpu_detect cannot be found in this process (no libx264 loaded, or one linked
// statically into libavcodec): then x264 keeps its own choice.
std::string x264_params_for_width(int width);

}  // namespace reelforge
