// libx264's CPU flags without AVX-512, for determinism.
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
#pragma once
#include <string>

namespace reelforge {

// x264's CPU flag for AVX-512 (X264_CPU_AVX512 in x264.h; a stable ABI value).
constexpr unsigned kX264CpuAvx512 = 1u << 16;

// "asm=<flags>" for libavcodec's x264-params: the flags x264 detects on this machine minus
// AVX-512, so every machine takes the same, deterministic code paths (the output equals
// AVX2's). Empty when x264_cpu_detect cannot be found in this process (no libx264 loaded, or
// one linked statically into libavcodec): then x264 keeps its own choice.
std::string x264_params_without_avx512();

}  // namespace reelforge
