// EffectChain::transition: a transition's shader (gpu/effects/transition_shader.*) over two
// canvas-sized pictures (the render graph's transition node, render_graph.cpp).
#include "gpu/effects/effect_chain.h"

namespace reelforge {

Image& EffectChain::transition(Frame& f, const Image& from, const Image& to, const Transition& t, float progress) {
  EffectParams p{};
  p[0] = progress;
  p[1] = float(from.width) / float(from.height);  // gl-transitions' ratio
  for (size_t i = 0; i < t.values.size() && i + 4 < p.size(); ++i) p[i + 4] = t.values[i];
  Image& out = target(f, from.width, from.height);
  const EffectSource in{&from, Affine2::scale(1.0f / float(from.width), 1.0f / float(from.height)), 0.0f, from.width,
                        from.height};
  const CompiledTransition& s = *t.shader;
  dispatch(f, program_for(std::string("transition") + '\0' + s.source, t.shader, s.spirv), out, in, Affine2{}, p, &to);
  return out;
}

}  // namespace reelforge
