// The render graph of one frame: each draw list (the frame's, and recursively every nested one)
// gets its textures (image layers, converted video, generated pictures) and then, per draw that is a node, in order:
// its nested content rendered into an intermediate (a nested scene or group: the nested draw
// list prepared the same way, then composited by NodeRenderer), its effect chain (EffectsHook),
// its mask (MaskPass); a transition's two layers rendered over the canvas apart and blended by its
// shader (EffectChain::transition). The final CompositePass then samples every draw's texture. Draws that are
// not nodes (no nested content, effects or mask) go straight to the final pass, as before.
#pragma once
#include "gpu/convert_pass.h"
#include "gpu/effects_hook.h"
#include "gpu/generated_pass.h"
#include "gpu/mask_pass.h"
#include "gpu/node_renderer.h"
#include "gpu/static_images.h"

namespace reelforge {

class RenderGraph {
 public:
  RenderGraph(const VkContext& ctx, int slots, StaticImages& images, ConvertPass& convert,
              GeneratedPass& generated, CompositePass& composite);
  // Everything f's final composite samples: f.textures for every draw, nodes rendered.
  void prepare(Frame& f);

 private:
  void prepare_node(Frame& f, size_t n);
  void render_composition(Frame& f, size_t n);
  void render_mask(Frame& f, size_t n);
  void render_transition(Frame& f, size_t n);
  Frame sub_frame(Frame& f, std::vector<LayerDraw>&& draws, const std::vector<LayerSource>& sources) const;

  StaticImages& images_;
  ConvertPass& convert_;
  GeneratedPass& generated_;  // generated layers' pictures (shapes, SVG, subtitles)
  NodeRenderer nodes_;
  EffectsHook effects_;
  MaskPass masks_;
};

}  // namespace reelforge
