// The width rule for libx264's AVX-512 (src/media/x264_cpu.h).
#include <doctest/doctest.h>

#include <string>

#include "media/x264_cpu.h"

using namespace reelforge;

TEST_CASE("x264 keeps AVX-512 only at widths of a multiple of 8 macroblocks") {
  for (int w : {128, 1024, 1280, 1920, 2560, 3840, 7680}) CHECK(x264_avx512_safe(w));
  // 160 px = 10 MBs; 1000 px rounds up to 63 MBs, 1930 px to 121, 3856 px to 241.
  for (int w : {16, 160, 640 + 16, 1000, 1930, 3856}) CHECK_FALSE(x264_avx512_safe(w));
  CHECK(x264_params_for_width(1920).empty());
}

TEST_CASE("elsewhere the asm flags are x264's own minus AVX-512") {
  const std::string p = x264_params_for_width(160);
  if (p.empty()) return;  // no libx264 in this process: x264 keeps its choice
  REQUIRE(p.rfind("asm=", 0) == 0);
  const unsigned long flags = std::stoul(p.substr(4));
  CHECK((flags & kX264CpuAvx512) == 0);
  CHECK(flags != 0);
}
