#include "gpu/effects_hook.h"

namespace reelforge {

EffectsHook::EffectsHook(const VkContext&, int) {}

void EffectsHook::apply(Frame&, size_t, Texture&, LayerPlacement&) {}

}  // namespace reelforge
