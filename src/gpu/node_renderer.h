// The render graph's primitive: a draw list composited (bottom to top, blend modes, opacity,
// styles: CompositePass's shader and tiling) into a pooled premultiplied RGBA8 image of any size,
// instead of the slot's outputs. Nested scenes, groups and masks use it; effects use it to give
// a solid (or any draw) a texture of its own (materialise).
#pragma once
#include <array>

#include "gpu/composite_pass.h"
#include "gpu/pass.h"
#include "gpu/per_frame_sets.h"

namespace reelforge {

// Target pixel (x, y) -> canvas point (m[0] x + m[1] y + m[2], m[3] x + m[4] y + m[5]).
using Affine = std::array<double, 6>;

// `place` seen from a target whose pixels map to the canvas by `target_to_canvas`: the same
// layer, with its map, scale and bounds in target pixels.
LayerPlacement retarget(const LayerPlacement& place, const Affine& target_to_canvas);

// Mip levels an image of `width` x `height` needs where the final pass shows it over `place`
// (1 when it is not shrunk), as ConvertPass chooses them for video.
uint32_t levels_for(int width, int height, const LayerPlacement& place);

class NodeRenderer {
 public:
  NodeRenderer(const VkContext& ctx, CompositePass& composite, int slots);

  // Composites `sub`'s draws (their textures prepared) into a pooled image of width x height
  // with `levels` mip levels (box-filtered), over `background` (premultiplied). `sub.draws`'
  // placements are in canvas space; target pixel q shows canvas point target_to_canvas(q).
  // The image is left in SHADER_READ_ONLY_OPTIMAL, visible to compute shaders.
  Image& render(Frame& sub, int width, int height, const Affine& target_to_canvas,
                std::array<float, 4> background, uint32_t levels);

  // Draw n of f alone (uncropped, unstyled, opacity 1, normal blend) as a texture over its
  // layer-local rectangle at the canvas resolution it is shown at: f.textures[n] for a solid,
  // or a texture with its orientation applied. Its placement stays valid for the result.
  Texture materialise(Frame& f, size_t n);

 private:
  struct Target {
    Buffer rgba;  // the composite's RGBA8 output, copied into the image
  };
  const VkContext& ctx_;
  CompositePass& composite_;
  PerFrameSets<Target> targets_;
};

// Texture coordinate map of draw `d` with texture `tex` as the final pass samples it: canvas
// point p -> uv = (m[0] px + m[1] py + m[2], m[3] px + m[4] py + m[5]) (orientation included).
Affine texture_map(const LayerDraw& d, const Texture& tex);
// The inverse of an affine map (a degenerate one gives zeros).
Affine invert(const Affine& m);

}  // namespace reelforge
