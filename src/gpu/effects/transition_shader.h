// Transition shaders (reelforge.transitions) in the gl-transitions convention
// (https://github.com/gl-transitions/gl-transitions): the source defines
// `vec4 transition(vec2 uv)` and reads `getFromColor(uv)`, `getToColor(uv)`, `progress`, `ratio`
// and its own `uniform <type> <name>; // = <default>` declarations. Those declarations are
// rewritten into one uniform block (each uniform a vec4 slot) and the source compiled at run time
// (gpu/glsl_compiler.h) into a compute shader of the effect-pass layout
// (shaders/effect_common.glsl: from = binding 0, to = binding 3). Cached by source.
#pragma once
#include <memory>
#include <string>

#include "timeline/transition.h"

namespace reelforge {

// Throws InputError for an unsupported uniform declaration, or with the compiler log, its line
// numbers counted from the first line of `source` ("transition:LINE: error: ...").
std::shared_ptr<const CompiledTransition> compile_transition_shader(const std::string& source);

// The complete GLSL compiled for `source` (documentation and tests).
std::string transition_shader_glsl(const std::string& source);

}  // namespace reelforge
