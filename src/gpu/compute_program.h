// A compute shader with its descriptor set layout, pipeline layout and one pipeline per set of
// specialisation constants (built on first use, then cached). A pass owns its programs.
#pragma once
#include <cstdint>
#include <cstring>
#include <map>
#include <type_traits>
#include <vector>

#include "gpu/shaders.h"
#include "gpu/vk_resources.h"

namespace reelforge {

class ComputeProgram {
 public:
  // `bindings`: binding i of set 0 has type bindings[i].descriptorType and count bindings[i].descriptorCount.
  ComputeProgram(const VkContext& ctx, shaders::Spirv code, const std::vector<VkDescriptorSetLayoutBinding>& bindings,
                 uint32_t push_size);

  // The pipeline for `spec`: a struct of int32_t whose word k is the constant with constant_id k
  // (bools as 0/1), its layout checked against the shader by static_asserts (spec_constants.h).
  template <class Spec>
  VkPipeline pipeline(const Spec& spec) {
    static_assert(std::is_trivially_copyable_v<Spec> && sizeof(Spec) % 4 == 0 && alignof(Spec) == 4);
    std::vector<int32_t> words(sizeof(Spec) / 4);
    std::memcpy(words.data(), &spec, sizeof(Spec));
    return pipeline_for(words);
  }
  VkDescriptorSetLayout set_layout() const { return set_layout_; }
  VkPipelineLayout layout() const { return layout_; }

 private:
  VkPipeline pipeline_for(const std::vector<int32_t>& words);

  VkDevice dev_;
  shaders::Spirv code_;
  DescriptorSetLayout set_layout_;
  PipelineLayout layout_;
  std::map<std::vector<int32_t>, Pipeline> cache_;
};

}  // namespace reelforge
