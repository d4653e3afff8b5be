#include "gpu/shaders.h"

namespace reelforge::shaders {
namespace {
const uint32_t kClear[] = {
#include "clear.comp.inc"
};
const uint32_t kComposite[] = {
#include "composite.comp.inc"
};
const uint32_t kRgbaToNv12[] = {
#include "rgba_to_nv12.comp.inc"
};
const uint32_t kAccToRgba8[] = {
#include "acc_to_rgba8.comp.inc"
};
const uint32_t kYuvToRgba[] = {
#include "yuv_to_rgba.comp.inc"
};
}  // namespace
Spirv clear() { return {kClear, sizeof kClear}; }
Spirv composite() { return {kComposite, sizeof kComposite}; }
Spirv rgba_to_nv12() { return {kRgbaToNv12, sizeof kRgbaToNv12}; }
Spirv acc_to_rgba8() { return {kAccToRgba8, sizeof kAccToRgba8}; }
Spirv yuv_to_rgba() { return {kYuvToRgba, sizeof kYuvToRgba}; }
}  // namespace reelforge::shaders
