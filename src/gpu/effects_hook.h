// Where a layer's effect chain is applied in the render graph: after the layer's content is ready
// (video converted, nested content rendered), before its mask and the final composite. The chain
// itself is gpu/effects/effect_chain.h; without effects it does nothing.
#pragma once
#include "gpu/effects/effect_chain.h"

namespace reelforge {

using EffectsHook = EffectChain;

}  // namespace reelforge
