#include "gpu/shaders.h"

namespace reelforge::shaders {
namespace {
const uint32_t kComposite[] = {
#include "composite.comp.inc"
};
const uint32_t kYuvToRgba[] = {
#include "yuv_to_rgba.comp.inc"
};
const uint32_t kMask[] = {
#include "mask.comp.inc"
};
}  // namespace
Spirv composite() { return {kComposite, sizeof kComposite}; }
Spirv yuv_to_rgba() { return {kYuvToRgba, sizeof kYuvToRgba}; }
Spirv mask() { return {kMask, sizeof kMask}; }
}  // namespace reelforge::shaders
