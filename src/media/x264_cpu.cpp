#include "media/x264_cpu.h"

#include <dlfcn.h>

#include <cstdint>

namespace reelforge {

std::string x264_params_for_width(int width) {
  if (x264_avx512_safe(width)) return "";
  // libx264 is a dependency of libavcodec, not of reelforge: look its detector up in this
  // library's scope (which holds libavcodec's dependencies) instead of linking x264 directly.
  using Detect = uint32_t (*)();
  auto detect = reinterpret_cast<Detect>(dlsym(RTLD_DEFAULT, "x264_cpu_detect"));
  if (!detect) return "";
  // x264 parses a number as the exact flag set (x264_param_parse "asm").
  return "asm=" + std::to_string(detect() & ~kX264CpuAvx512);
}

}  // namespace reelforge
