#include "gpu/effects/custom_shader.h"

#include <cctype>
#include <map>
#include <mutex>

#include "gpu/glsl_compiler.h"
#include "util/errors.h"

namespace reelforge {

namespace {
// Before the user's code: the effect-pass interface (as in shaders/effect_common.glsl), the
// uniform block and the sampling function. Lines after `#line 1 "effect"` count from the user's 1.
const char* kPrelude = R"(#version 450
#extension GL_GOOGLE_cpp_style_line_directive : require
layout(local_size_x = 16, local_size_y = 16) in;
layout(binding = 0) uniform sampler2D rf_src;
layout(binding = 1, rgba16f) uniform writeonly image2D rf_dst;
layout(push_constant) uniform RfPush { vec4 map_u; vec4 map_v; ivec4 size; } rf_pc;
)";

const char* kSampling = R"(
vec2 rf_src_uv(vec2 p) { vec3 q = vec3(p, 1.0); return vec2(dot(rf_pc.map_u.xyz, q), dot(rf_pc.map_v.xyz, q)); }
// The layer at uv (0..1 over its width and height), straight (not premultiplied) RGBA in 0..1;
// transparent outside.
vec4 sample_layer(vec2 uv) {
  vec4 c = textureLod(rf_src, rf_src_uv(uv * vec2(rf_pc.size.xy)), rf_pc.map_u.w);
  return c.a > 0.0 ? vec4(c.rgb / c.a, c.a) : vec4(0.0);
}
#define u_time rf_info.x
#define u_size rf_info.yz
)";

const char* kMain = R"(
#line 1 "reelforge-main"
void main() {
  ivec2 p = ivec2(gl_GlobalInvocationID.xy);
  if (any(greaterThanEqual(p, rf_pc.size.xy))) return;
  vec4 c = clamp(effect((vec2(p) + 0.5) / vec2(rf_pc.size.xy)), 0.0, 1.0);
  imageStore(rf_dst, p, vec4(c.rgb * c.a, c.a));
}
)";

bool identifier(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return s.rfind("gl_", 0) != 0 && s.rfind("rf_", 0) != 0 && s.rfind("u_", 0) != 0 && s.find("__") == std::string::npos;
}
}  // namespace

std::string effect_shader_glsl(const std::string& source, const std::vector<std::string>& uniforms) {
  if (uniforms.size() > kMaxShaderUniforms)
    throw InputError("Shader: at most " + std::to_string(kMaxShaderUniforms) + " uniforms, got " +
                     std::to_string(uniforms.size()));
  std::string block = "layout(std140, binding = 2) uniform RfParams {\n  vec4 rf_info;\n";
  for (const auto& u : uniforms) {
    if (!identifier(u))
      throw InputError("Shader: uniform name '" + u + "' is not a GLSL identifier of its own (letters, digits, "
                       "'_'; not starting with gl_, rf_ or u_, no '__')");
    block += "  float " + u + ";\n";
  }
  block += "};\n";
  return kPrelude + block + kSampling + "#line 1 \"effect\"\n" + source + "\n" + kMain;
}

std::shared_ptr<const CompiledShader> compile_effect_shader(const std::string& source,
                                                            const std::vector<std::string>& uniforms) {
  static std::mutex mutex;
  static std::map<std::pair<std::string, std::vector<std::string>>, std::shared_ptr<const CompiledShader>> cache;
  const auto key = std::make_pair(source, uniforms);
  {
    std::lock_guard lock(mutex);
    if (auto it = cache.find(key); it != cache.end()) return it->second;
  }
  auto s = std::make_shared<CompiledShader>();
  s->source = source;
  s->uniforms = uniforms;
  s->spirv = compile_user_glsl(effect_shader_glsl(source, uniforms), "effect",
                               "The source must define `vec4 effect(vec2 uv)` (uv in 0..1 over the layer).");
  std::lock_guard lock(mutex);
  return cache.emplace(key, std::move(s)).first->second;
}

}  // namespace reelforge
