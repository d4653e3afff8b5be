// A layer's effect chain as compiled data (Layer::effects, applied in order by
// src/gpu/effects/effect_chain.*). Parameters are per-frame float tables over the layer's frames,
// exactly as LayerTrack's: one value per frame of [start_frame, end_frame), or one constant.
// Lengths are in layer-local pixels (the layer's displayed width/height before scale/rotation).
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace reelforge {

// Numbering shared with the bindings (reelforge._core.EffectKind).
enum class EffectKind { Blur = 0, DropShadow, Glow, Color, Lut, ChromaKey, Shader };

// Parameter slots of each kind (Effect::params[i]); the Python classes in reelforge.effects fill them.
namespace effect_param {
enum Blur { kBlurRadius = 0, kBlurExtend, kBlurCount };  // extend: 1 = edges repeated, no growth
enum Shadow { kShadowDx = 0, kShadowDy, kShadowBlur, kShadowOpacity, kShadowCount };  // also Glow:
enum Glow { kGlowRadius = 0, kGlowStrength, kGlowCount };
enum Color { kBrightness = 0, kContrast, kSaturation, kHue, kExposure, kGamma, kGrayscale, kSepia, kInvert, kColorCount };
enum Lut { kLutStrength = 0, kLutCount };
enum Key { kKeySimilarity = 0, kKeySmoothness, kKeySpill, kKeyCount };
}  // namespace effect_param

// An Adobe/Resolve .cube table (media/cube_lut.*): a 1D table (size1d entries) or a 3D one
// (size3d^3 entries, red fastest), RGB floats, input mapped from [domain_min, domain_max].
struct CubeLut {
  std::string path;
  int size1d = 0, size3d = 0;
  std::array<float, 3> domain_min{0, 0, 0}, domain_max{1, 1, 1};
  std::vector<float> table;  // RGB triples: size1d or size3d^3 of them
};

// A user GLSL effect compiled to SPIR-V (gpu/effects/custom_shader.*). `uniforms` are the float
// members of its parameter block, in order; Effect::params holds u_time's table (scene seconds),
// then theirs in the same order.
struct CompiledShader {
  std::string source;  // the user's source (the pipeline cache key)
  std::vector<std::string> uniforms;
  std::vector<uint32_t> spirv;
};

struct Effect {
  EffectKind kind = EffectKind::Blur;
  std::vector<std::vector<float>> params;  // see effect_param; each of size 1 or the layer's frame count
  std::array<float, 4> color{0, 0, 0, 1};  // DropShadow/Glow colour, ChromaKey key colour: straight RGBA 0..1
  std::shared_ptr<const CubeLut> lut;       // Lut
  std::shared_ptr<const CompiledShader> shader;  // Shader

  // Parameter `i` at the layer's local frame `k` (frame - start_frame).
  float at(size_t i, int64_t k) const {
    const std::vector<float>& v = params.at(i);
    return v.size() == 1 ? v[0] : v.at(size_t(k));
  }
  // Throws InputError naming `what` if a table is empty or neither 1 nor `frames` long.
  void validate(const std::string& what, int64_t frames) const;
};

}  // namespace reelforge
