// Where a layer's effect chain is applied in the render graph (h-effects implements it): after
// the layer's content is ready (video converted, nested content rendered), before its mask and
// the final composite. Without effects it does nothing.
#pragma once
#include <cstddef>

#include "gpu/pass.h"

namespace reelforge {

class EffectsHook {
 public:
  EffectsHook(const VkContext& ctx, int slots);
  // Draw n of f (f.draws[n], f.textures[n]) through its effect chain: `tex` may be replaced by
  // the chain's output image and `place` grown by the effects' reach (a shadow, a blur), its
  // layer-local map kept so that uv 0..1 spans the grown texture. f.nodes->materialise() gives a
  // solid a texture.
  void apply(Frame& f, size_t n, Texture& tex, LayerPlacement& place);
};

}  // namespace reelforge
