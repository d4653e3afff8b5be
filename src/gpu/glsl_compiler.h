// GLSL compute shaders compiled at run time (shaderc, Google's wrapper of glslang): user effects
// (gpu/effects/custom_shader.*) and anything else whose source is only known when a scene runs.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace reelforge {

// SPIR-V for Vulkan 1.1 of a GLSL 450 compute shader. `name` names the source in the compiler's
// messages (with `#line 1 "<name>"` directives, GL_GOOGLE_cpp_style_line_directive, a source can
// report lines relative to the part the user wrote). Throws InputError carrying the compiler log.
std::vector<uint32_t> compile_compute_glsl(const std::string& source, const std::string& name);

// compile_compute_glsl for a user's function placed between a prelude and our `main`, which
// starts with `#line 1 "reelforge-main"`: an error reported there means the user's entry point
// is missing or has the wrong signature, so `entry_hint` is appended to the compiler log.
std::vector<uint32_t> compile_user_glsl(const std::string& source, const std::string& name,
                                        const std::string& entry_hint);

}  // namespace reelforge
