// SPIR-V of the GLSL compute shaders in shaders/, compiled by glslc at build time.
#pragma once
#include <cstddef>
#include <cstdint>

namespace reelforge::shaders {
struct Spirv { const uint32_t* words; size_t size_bytes; };
Spirv clear();
Spirv composite();
Spirv rgba_to_nv12();
Spirv acc_to_rgba8();
Spirv yuv_to_rgba();
}  // namespace reelforge::shaders
