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

}  // namespace reelforge
