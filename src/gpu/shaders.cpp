#include "gpu/shaders.h"

namespace reelforge::shaders {
namespace {
const uint32_t kComposite[] = {
#include "composite.comp.inc"
};
const uint32_t kYuvToRgba[] = {
#include "yuv_to_rgba.comp.inc"
};
const uint32_t kEffectBlur[] = {
#include "effect_blur.comp.inc"
};
const uint32_t kEffectShadow[] = {
#include "effect_shadow.comp.inc"
};
const uint32_t kEffectColor[] = {
#include "effect_color.comp.inc"
};
const uint32_t kEffectLut[] = {
#include "effect_lut.comp.inc"
};
const uint32_t kEffectKey[] = {
#include "effect_key.comp.inc"
};
const uint32_t kMask[] = {
#include "mask.comp.inc"
};
}  // namespace
Spirv composite() { return {kComposite, sizeof kComposite}; }
Spirv yuv_to_rgba() { return {kYuvToRgba, sizeof kYuvToRgba}; }
Spirv effect_blur() { return {kEffectBlur, sizeof kEffectBlur}; }
Spirv effect_shadow() { return {kEffectShadow, sizeof kEffectShadow}; }
Spirv effect_color() { return {kEffectColor, sizeof kEffectColor}; }
Spirv effect_lut() { return {kEffectLut, sizeof kEffectLut}; }
Spirv effect_key() { return {kEffectKey, sizeof kEffectKey}; }
Spirv mask() { return {kMask, sizeof kMask}; }
}  // namespace reelforge::shaders
