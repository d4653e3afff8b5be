#include "timeline/effect.h"

#include <cmath>

#include "util/errors.h"

namespace reelforge {

namespace {
size_t expected_params(const Effect& e) {
  using namespace effect_param;
  switch (e.kind) {
    case EffectKind::Blur: return kBlurCount;
    case EffectKind::DropShadow: return kShadowCount;
    case EffectKind::Glow: return kGlowCount;
    case EffectKind::Color: return kColorCount;
    case EffectKind::Lut: return kLutCount;
    case EffectKind::ChromaKey: return kKeyCount;
    case EffectKind::Shader: return e.shader ? e.shader->uniforms.size() + 1 : 1;  // u_time, then the uniforms
  }
  return 0;
}
}  // namespace

void Effect::validate(const std::string& what, int64_t frames) const {
  if (params.size() != expected_params(*this))
    throw InputError(what + ": expected " + std::to_string(expected_params(*this)) + " parameter tables, got " +
                     std::to_string(params.size()));
  if (kind == EffectKind::Lut && (!lut || lut->table.empty())) throw InputError(what + ": LUT effect without a table");
  if (kind == EffectKind::Shader && (!shader || shader->spirv.empty()))
    throw InputError(what + ": shader effect without compiled code");
  for (size_t i = 0; i < params.size(); ++i) {
    const auto& v = params[i];
    if (v.size() != 1 && int64_t(v.size()) != frames)
      throw InputError(what + ": parameter " + std::to_string(i) + " needs 1 or " + std::to_string(frames) +
                       " values, got " + std::to_string(v.size()));
    for (float x : v)
      if (!std::isfinite(x)) throw InputError(what + ": parameter " + std::to_string(i) + " has a non-finite value");
  }
}

}  // namespace reelforge
