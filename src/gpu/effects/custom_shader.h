// User GLSL effects (reelforge.effects.Shader): the user's `vec4 effect(vec2 uv)` wrapped into a
// compute shader of the effect-pass layout (shaders/effect_common.glsl's bindings) and compiled
// at run time (gpu/glsl_compiler.h). Compiled code is cached by (source, uniform names).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "timeline/effect.h"

namespace reelforge {

// Most float uniforms one shader may declare (they share a 256-byte block with u_time/u_size).
constexpr size_t kMaxShaderUniforms = 60;

// Throws InputError for a bad uniform name or with the compiler log, its line numbers counted
// from the first line of `source` ("effect:LINE: error: ...").
std::shared_ptr<const CompiledShader> compile_effect_shader(const std::string& source,
                                                            const std::vector<std::string>& uniforms);

// The complete GLSL compiled for `source` (documentation and tests).
std::string effect_shader_glsl(const std::string& source, const std::vector<std::string>& uniforms);

}  // namespace reelforge
