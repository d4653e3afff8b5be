// Masks (layer.set_mask): the mask layer's draws are rendered (NodeRenderer) into an image of the
// masked texture's size, texel for texel over the same canvas points, and shaders/mask.comp
// multiplies the texture by its matte (alpha or luminance, inverted, feathered by a separable
// Gaussian) into a new pooled texture with the same mip levels.
#pragma once
#include "gpu/compute_program.h"
#include "gpu/pass.h"
#include "gpu/per_frame_sets.h"

namespace reelforge {

class MaskPass {
 public:
  MaskPass(const VkContext& ctx, int slots);
  // Draw n of f: `mask` is the rendered mask (f.textures[n]'s size), `feather` the matte's
  // Gaussian standard deviation in texels. Replaces f.textures[n].
  void apply(Frame& f, size_t n, const Image& mask, const LayerSource& src, double feather);

 private:
  struct Buffers {
    Buffer tmp;  // float matte blurred along x
    Buffer out;  // RGBA8 result, copied into the image
  };
  const VkContext& ctx_;
  ComputeProgram program_;
  PerFrameSets<Buffers> buffers_;
};

}  // namespace reelforge
