// The shaders' specialisation constants as C++ structs, word k = constant_id k. The ids come from
// shaders/spec_ids.glsl, which the shaders include too; the static_asserts keep the two in step.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

#include "../../shaders/spec_ids.glsl"

namespace reelforge {

struct CompositeSpec {  // shaders/composite.comp
  int32_t layers = 0;                        // N: layers in this pass, 0..kMaxStack
  std::array<int32_t, COMPOSITE_MAX_STACK> kind_blend{};  // KB0..KB7: kind * 16 + BlendMode (+ 64 styled, + 128 covering)
  int32_t read_acc = 0, write_acc = 0;       // start from / write the 16-bit unorm accumulator
  int32_t want_nv12 = 1, want_rgba = 0;
};
static_assert(offsetof(CompositeSpec, layers) == 4 * COMPOSITE_N);
static_assert(offsetof(CompositeSpec, kind_blend) == 4 * COMPOSITE_KB0);
static_assert(COMPOSITE_KB7 == COMPOSITE_KB0 + COMPOSITE_MAX_STACK - 1);
static_assert(offsetof(CompositeSpec, read_acc) == 4 * COMPOSITE_READ_ACC);
static_assert(offsetof(CompositeSpec, write_acc) == 4 * COMPOSITE_WRITE_ACC);
static_assert(offsetof(CompositeSpec, want_nv12) == 4 * COMPOSITE_WANT_NV12);
static_assert(offsetof(CompositeSpec, want_rgba) == 4 * COMPOSITE_WANT_RGBA);
static_assert(sizeof(CompositeSpec) == 4 * (COMPOSITE_WANT_RGBA + 1));

struct ConvertSpec {  // shaders/yuv_to_rgba.comp
  int32_t alpha = 0;        // yuva420p
  int32_t div = 1;          // converted at 1/div of the source size: 1, 2 or 4
  int32_t chroma_left = 0;  // chroma sited left (co-sited with even luma columns), else centre
};
static_assert(offsetof(ConvertSpec, alpha) == 4 * CONVERT_ALPHA);
static_assert(offsetof(ConvertSpec, div) == 4 * CONVERT_DIV);
static_assert(offsetof(ConvertSpec, chroma_left) == 4 * CONVERT_CHROMA_LEFT);
static_assert(sizeof(ConvertSpec) == 4 * (CONVERT_CHROMA_LEFT + 1));

struct MaskSpec {  // shaders/mask.comp
  int32_t stage = 2;   // 0: matte blurred along x; 1: along y, applied; 2: matte applied (no feather)
  int32_t luma = 0;    // luminance matte, else alpha
  int32_t invert = 0;  // 1 - matte
};
static_assert(offsetof(MaskSpec, stage) == 4 * MASK_STAGE);
static_assert(offsetof(MaskSpec, luma) == 4 * MASK_LUMA);
static_assert(offsetof(MaskSpec, invert) == 4 * MASK_INVERT);
static_assert(sizeof(MaskSpec) == 4 * (MASK_INVERT + 1));

}  // namespace reelforge
