#include "gpu/glsl_compiler.h"

#include <shaderc/shaderc.hpp>

#include "util/errors.h"

namespace reelforge {

std::vector<uint32_t> compile_compute_glsl(const std::string& source, const std::string& name) {
  // shaderc::Compiler is not thread-safe to share, and cheap enough to make per call.
  shaderc::Compiler compiler;
  shaderc::CompileOptions opt;
  opt.SetTargetEnvironment(shaderc_target_env_vulkan, shaderc_env_version_vulkan_1_1);
  opt.SetOptimizationLevel(shaderc_optimization_level_performance);
  const auto r = compiler.CompileGlslToSpv(source, shaderc_compute_shader, name.c_str(), opt);
  if (r.GetCompilationStatus() != shaderc_compilation_status_success)
    throw InputError("GLSL compile error:\n" + r.GetErrorMessage());
  return {r.cbegin(), r.cend()};
}

std::vector<uint32_t> compile_user_glsl(const std::string& source, const std::string& name,
                                        const std::string& entry_hint) {
  try {
    return compile_compute_glsl(source, name);
  } catch (const InputError& e) {
    const std::string log = e.what();
    if (log.find("reelforge-main") == std::string::npos) throw;
    throw InputError(log + "\n" + entry_hint);
  }
}

}  // namespace reelforge
