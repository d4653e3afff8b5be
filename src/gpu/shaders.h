// SPIR-V of the GLSL compute shaders in shaders/, compiled by glslc at build time.
#pragma once
#include <cstddef>
#include <cstdint>

namespace reelforge::shaders {
struct Spirv { const uint32_t* words; size_t size_bytes; };
Spirv composite();
Spirv yuv_to_rgba();
// Effect passes (shaders/effect_*.comp, gpu/effects/effect_chain.*).
Spirv effect_blur();
Spirv effect_shadow();
Spirv effect_color();
Spirv effect_lut();
Spirv effect_key();
Spirv mask();
}  // namespace reelforge::shaders
