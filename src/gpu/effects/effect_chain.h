// A layer's effect chain on the GPU (Layer::effects, timeline/effect.h): each effect reads the
// previous one's result (first the layer's texture, or its solid colour materialised) and writes
// a pooled premultiplied RGBA16F image; the last one replaces the draw's texture, and the draw's
// placement grows by the effects' reach (blur, shadow, glow), so the final composite samples the
// result like any texture. Effects work at the layer's displayed resolution (at most the
// texture's), in layer-local pixels converted to texels.
#pragma once
#include <array>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gpu/compute_program.h"
#include "gpu/pass.h"
#include "timeline/transition.h"

namespace reelforge {

// p -> (m[0] x + m[1] y + m[2], m[3] x + m[4] y + m[5])
struct Affine2 {
  std::array<float, 6> m{1, 0, 0, 0, 1, 0};
  static Affine2 scale(float sx, float sy) { return {{sx, 0, 0, 0, sy, 0}}; }
  static Affine2 translate(float tx, float ty) { return {{1, 0, tx, 0, 1, ty}}; }
  Affine2 operator*(const Affine2& b) const;  // this map after b
};

// The image an effect reads. Chain texel coordinates: display orientation, the chain's
// resolution, origin at this image's top-left corner.
struct EffectSource {
  const Image* image = nullptr;
  Affine2 to_uv;  // chain texel coordinates -> this image's sampler uv
  float lod = 0.0f;
  int width = 0, height = 0;  // extent in chain texels
};

// Parameter block of one dispatch: Params in shaders/effect_common.glsl (16 vec4).
using EffectParams = std::array<float, 64>;

class EffectChain {
 public:
  EffectChain(const VkContext& ctx, int slots);
  ~EffectChain();

  // The render graph's hook (EffectsHook, render_graph.h): runs draw `n`'s effect chain on `tex`
  // (its texture, or a solid when tex.image is null), replaces `tex` by the result and grows
  // `place` by the effects' reach. A styled draw (corner radius, border) is first drawn with its
  // style into an image (NodeRenderer) so the effects see the rounded shape; its style is then
  // cleared. Draws without effects are left alone.
  void apply(Frame& f, size_t n, Texture& tex, LayerPlacement& place);

  // A transition (timeline/transition.h) of two same-sized premultiplied pictures at `progress`
  // (0..1, eased): its shader run over every pixel into a pooled RGBA16F image of that size
  // (transition_pass.cpp). The effect chain's dispatch, parameter arena and program cache serve it.
  Image& transition(Frame& f, const Image& from, const Image& to, const Transition& t, float progress);

 private:
  struct Growth { int left = 0, top = 0, right = 0, bottom = 0; };  // chain texels
  EffectSource start(Frame& f, const LayerDraw& d, const Texture& tex, const LayerPlacement& place);
  void materialise_style(Frame& f, size_t n, Texture& tex, LayerPlacement& place);
  EffectSource run(Frame& f, const Effect& e, const LayerDraw& d, const LayerPlacement& place,
                   const EffectSource& in, float sx, float sy, Growth& g, bool& opaque);
  // effect_passes.cpp: one function per kind of pass.
  // `extend`: the picture's edges repeat outward (a full-frame background), the area does not grow;
  // else transparent beyond them (CSS blur()).
  EffectSource blur(Frame& f, const EffectSource& in, float sigma_x, float sigma_y, Growth& g, bool extend = false);
  EffectSource shadow(Frame& f, const EffectSource& in, float dx, float dy, float sigma_x, float sigma_y,
                      float strength, const std::array<float, 4>& premultiplied, Growth& g);
  EffectSource color(Frame& f, const EffectSource& in, const Effect& e, int64_t k);
  EffectSource lut(Frame& f, const EffectSource& in, const Effect& e, int64_t k);
  EffectSource key(Frame& f, const EffectSource& in, const Effect& e, int64_t k);
  EffectSource custom(Frame& f, const EffectSource& in, const Effect& e, int64_t k, const LayerPlacement& place);

  // An RGBA16F image of the slot's pool in GENERAL layout, ready to be written.
  Image& target(Frame& f, int width, int height);
  // One dispatch of `prog` writing all of `out`: output pixel centre -> chain texel coordinates of
  // `in` by `out_to_in`; leaves `out` readable (SHADER_READ_ONLY_OPTIMAL) by later passes.
  void dispatch(Frame& f, ComputeProgram& prog, const Image& out, const EffectSource& in, const Affine2& out_to_in,
                const EffectParams& params, const Image* src2 = nullptr, VkBuffer table = VK_NULL_HANDLE,
                bool clamp_to_edge = false);
  VkDescriptorBufferInfo upload(const Frame& f, const EffectParams& params);
  VkBuffer lut_table(const std::shared_ptr<const CubeLut>& lut);
  ComputeProgram& shader_program(const std::shared_ptr<const CompiledShader>& shader);
  ComputeProgram& program_for(std::string key, std::shared_ptr<const void> owner, const std::vector<uint32_t>& spirv);

  const VkContext& ctx_;
  Sampler sampler_;    // bilinear, trilinear between levels, transparent black outside
  Sampler edge_sampler_;  // the same, edge texels repeated outside
  Buffer dummy_table_;
  ComputeProgram blur_, shadow_, color_, lut_, key_;
  struct Custom { std::shared_ptr<const void> shader; std::unique_ptr<ComputeProgram> program; };
  std::map<std::string, Custom> custom_;  // by kind, source and uniform names
  struct LutTable { std::shared_ptr<const CubeLut> lut; Buffer buffer; };
  std::map<const CubeLut*, LutTable> luts_;
  // Parameter blocks, reused from the slot's frame `serial` on (FrameSlot::serial).
  struct Arena { std::vector<Buffer> chunks; size_t chunk = 0; VkDeviceSize used = 0; uint64_t serial = ~uint64_t(0); };
  std::vector<Arena> arenas_;  // per slot
};

}  // namespace reelforge
