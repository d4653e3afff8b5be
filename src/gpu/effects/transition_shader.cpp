#include "gpu/effects/transition_shader.h"

#include <map>
#include <mutex>
#include <regex>
#include <sstream>

#include "gpu/glsl_compiler.h"
#include "util/errors.h"

namespace reelforge {

namespace {
// uv is gl-transitions' (0,0 bottom left); textures are stored top row first, hence the flip.
// Colours are premultiplied RGBA (identical to straight for opaque pictures).
const char* kPrelude = R"(#version 450
#extension GL_GOOGLE_cpp_style_line_directive : require
layout(local_size_x = 16, local_size_y = 16) in;
layout(binding = 0) uniform sampler2D rf_from;
layout(binding = 1, rgba16f) uniform writeonly image2D rf_dst;
layout(std140, binding = 2) uniform RfParams { vec4 rf_info; vec4 rf_u[15]; };
layout(binding = 3) uniform sampler2D rf_to;
layout(push_constant) uniform RfPush { vec4 rf_map_u; vec4 rf_map_v; ivec4 rf_size; } rf_pc;
vec4 getFromColor(vec2 uv) { return textureLod(rf_from, vec2(uv.x, 1.0 - uv.y), 0.0); }
vec4 getToColor(vec2 uv) { return textureLod(rf_to, vec2(uv.x, 1.0 - uv.y), 0.0); }
float progress = rf_info.x;
float ratio = rf_info.y;
)";

struct TypeInfo { const char* name; int components; const char* cast; };
constexpr TypeInfo kTypes[] = {{"float", 1, "float"}, {"vec2", 2, "vec2"}, {"vec3", 3, "vec3"}, {"vec4", 4, "vec4"},
                               {"int", 1, "int"},     {"ivec2", 2, "ivec2"}, {"ivec3", 3, "ivec3"}, {"ivec4", 4, "ivec4"},
                               {"bool", 1, "bool"}};

const TypeInfo* find_type(const std::string& t) {
  for (const auto& k : kTypes)
    if (t == k.name) return &k;
  return nullptr;
}

// The numbers (or true/false) of a default such as "vec2(1.0, -1.0)", "0.5", "true", "ivec2(10)".
std::array<float, 4> parse_default(const std::string& text, int components) {
  std::array<float, 4> v{0, 0, 0, 0};
  static const std::regex number(R"([-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)");
  std::vector<float> found;
  if (text.find("true") != std::string::npos) found.push_back(1.0f);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), number); it != std::sregex_iterator(); ++it) {
    // Skip the digit of a type name (vec2, ivec3) directly before '('.
    const size_t end = size_t(it->position() + it->length());
    if (end < text.size() && text[end] == '(') continue;
    found.push_back(std::stof(it->str()));
  }
  for (int i = 0; i < components; ++i)
    v[size_t(i)] = found.empty() ? 0.0f : found.size() == 1 ? found[0] : i < int(found.size()) ? found[size_t(i)] : 0.0f;
  return v;
}

struct Parsed {
  std::string body;  // the source with its uniform declarations blanked (line numbers kept)
  std::vector<TransitionUniform> uniforms;
};

Parsed parse(const std::string& source) {
  // `uniform T name; // = v`, or gl-transitions' other form `uniform T name/* = v */;`.
  static const std::regex decl(R"(^\s*uniform\s+(\w+)\s+(\w+)\s*(/\*.*?\*/)?\s*;(.*)$)");
  static const std::regex any_uniform(R"(^\s*uniform\s)");
  static const std::regex default_in_comment(R"(=\s*([^*/]*[^*/\s]))");
  Parsed out;
  std::istringstream in(source);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::smatch m;
    if (std::regex_search(line, any_uniform)) {
      if (!std::regex_match(line, m, decl))
        throw InputError("transition:" + std::to_string(number) + ": declare one uniform per line as "
                         "'uniform <type> <name>; // = <default>', got '" + line + "'");
      const TypeInfo* t = find_type(m[1].str());
      if (!t)
        throw InputError("transition:" + std::to_string(number) + ": uniform '" + m[2].str() + "' has type '" +
                         m[1].str() + "'; supported: float, vec2-4, int, ivec2-4, bool (no textures)");
      const std::string name = m[2].str();
      if (name.rfind("rf_", 0) == 0 || name.rfind("gl_", 0) == 0 || name == "progress" || name == "ratio")
        throw InputError("transition:" + std::to_string(number) + ": uniform name '" + name + "' is reserved");
      for (const auto& u : out.uniforms)
        if (u.name == name) throw InputError("transition:" + std::to_string(number) + ": uniform '" + name + "' declared twice");
      TransitionUniform u{name, t->name, t->components, {0, 0, 0, 0}};
      const std::string rest = m[3].str() + m[4].str();
      std::smatch d;
      if (const size_t c = rest.find("/"); c != std::string::npos && std::regex_search(rest.cbegin() + long(c), rest.cend(), d, default_in_comment))
        u.default_value = parse_default(d[1].str(), t->components);
      out.uniforms.push_back(u);
      line.clear();  // the declaration moves into the block
    }
    out.body += line + "\n";
  }
  if (out.uniforms.size() > kMaxTransitionUniforms)
    throw InputError("transition: at most " + std::to_string(kMaxTransitionUniforms) + " uniforms, got " +
                     std::to_string(out.uniforms.size()));
  return out;
}

// Each uniform a global initialised from the block: the initialisers run first, in declaration
// order, so the source's own global initialisers see them, and functions may shadow the names.
std::string glsl(const Parsed& p) {
  std::string globals;
  for (size_t i = 0; i < p.uniforms.size(); ++i) {
    const TransitionUniform& u = p.uniforms[i];
    const TypeInfo* t = find_type(u.type);
    const std::string slot = "rf_u[" + std::to_string(i) + "]";
    const char* swz[] = {"", ".x", ".xy", ".xyz", ".xyzw"};
    std::string value = slot + swz[t->components];
    if (u.type == "bool") value = "(" + slot + ".x != 0.0)";
    else if (u.type[0] == 'i') value = std::string(t->cast) + "(round(" + value + "))";
    globals += u.type + " " + u.name + " = " + value + ";\n";
  }
  return std::string(kPrelude) + globals + "#line 1 \"transition\"\n" + p.body +
         "\n#line 1 \"reelforge-main\"\nvoid main() {\n"
         "  ivec2 p = ivec2(gl_GlobalInvocationID.xy);\n"
         "  if (any(greaterThanEqual(p, rf_pc.rf_size.xy))) return;\n"
         "  vec2 uv = (vec2(p) + 0.5) / vec2(rf_pc.rf_size.xy);\n"
         "  vec4 c = clamp(transition(vec2(uv.x, 1.0 - uv.y)), 0.0, 1.0);\n"
         "  imageStore(rf_dst, p, vec4(min(c.rgb, vec3(c.a)), c.a));\n}\n";
}
}  // namespace

std::string transition_shader_glsl(const std::string& source) { return glsl(parse(source)); }

std::shared_ptr<const CompiledTransition> compile_transition_shader(const std::string& source) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const CompiledTransition>> cache;
  {
    std::lock_guard lock(mutex);
    if (auto it = cache.find(source); it != cache.end()) return it->second;
  }
  const Parsed p = parse(source);
  auto s = std::make_shared<CompiledTransition>();
  s->source = source;
  s->uniforms = p.uniforms;
  s->spirv = compile_user_glsl(glsl(p), "transition",
                               "The source must define `vec4 transition(vec2 uv)` (gl-transitions convention).");
  std::lock_guard lock(mutex);
  return cache.emplace(source, std::move(s)).first->second;
}

}  // namespace reelforge
