#include "gpu/compute_program.h"

#include "gpu/vk_check.h"

namespace reelforge {

ComputeProgram::ComputeProgram(const VkContext& ctx, shaders::Spirv code,
                               const std::vector<VkDescriptorSetLayoutBinding>& bindings, uint32_t push_size)
    : dev_(ctx.device), code_(code) {
  VkDescriptorSetLayoutCreateInfo lci{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  lci.bindingCount = uint32_t(bindings.size());
  lci.pBindings = bindings.data();
  VkDescriptorSetLayout sl;
  RF_VK(vkCreateDescriptorSetLayout(dev_, &lci, nullptr, &sl));
  set_layout_ = DescriptorSetLayout(dev_, sl);
  VkPushConstantRange pcr{VK_SHADER_STAGE_COMPUTE_BIT, 0, push_size};
  VkPipelineLayoutCreateInfo pli{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  pli.setLayoutCount = 1;
  pli.pSetLayouts = &sl;
  pli.pushConstantRangeCount = 1;
  pli.pPushConstantRanges = &pcr;
  VkPipelineLayout pl;
  RF_VK(vkCreatePipelineLayout(dev_, &pli, nullptr, &pl));
  layout_ = PipelineLayout(dev_, pl);
}

VkPipeline ComputeProgram::pipeline_for(const std::vector<int32_t>& words) {
  auto it = cache_.find(words);
  if (it != cache_.end()) return it->second;
  VkShaderModuleCreateInfo smi{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
  smi.codeSize = code_.size_bytes;
  smi.pCode = code_.words;
  VkShaderModule sm;
  RF_VK(vkCreateShaderModule(dev_, &smi, nullptr, &sm));
  ShaderModule module(dev_, sm);
  std::vector<VkSpecializationMapEntry> entries(words.size());
  for (uint32_t i = 0; i < entries.size(); ++i) entries[i] = {i, i * 4, 4};  // bool constants are 32-bit too
  VkSpecializationInfo si{uint32_t(entries.size()), entries.data(), words.size() * 4, words.data()};
  VkComputePipelineCreateInfo cpi{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  cpi.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO};
  cpi.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  cpi.stage.module = sm;
  cpi.stage.pName = "main";
  cpi.stage.pSpecializationInfo = &si;
  cpi.layout = layout_;
  VkPipeline p;
  RF_VK(vkCreateComputePipelines(dev_, VK_NULL_HANDLE, 1, &cpi, nullptr, &p));
  return cache_.emplace(words, Pipeline(dev_, p)).first->second;
}

}  // namespace reelforge
