// Specialisation constant ids, shared by the shaders and by src/gpu/spec_constants.h, which
// static_asserts that each field of its C++ structs sits at 4 * (its constant's id) bytes.
// Plain #defines only: this file is included by GLSL and C++ alike.
#ifndef REELFORGE_SPEC_IDS
#define REELFORGE_SPEC_IDS

// composite.comp
#define COMPOSITE_N 0
#define COMPOSITE_KB0 1  // KB0..KB7: ids 1..8 (kind * 16 + blend of each layer)
#define COMPOSITE_KB1 2
#define COMPOSITE_KB2 3
#define COMPOSITE_KB3 4
#define COMPOSITE_KB4 5
#define COMPOSITE_KB5 6
#define COMPOSITE_KB6 7
#define COMPOSITE_KB7 8
#define COMPOSITE_READ_ACC 9
#define COMPOSITE_WRITE_ACC 10
#define COMPOSITE_WANT_NV12 11
#define COMPOSITE_WANT_RGBA 12
#define COMPOSITE_MAX_STACK 8

// yuv_to_rgba.comp
#define CONVERT_ALPHA 0
#define CONVERT_DIV 1
#define CONVERT_CHROMA_LEFT 2

// mask.comp
#define MASK_STAGE 0
#define MASK_LUMA 1
#define MASK_INVERT 2

#endif
