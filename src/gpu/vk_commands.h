// Small helpers for recording Vulkan commands and filling descriptor sets, shared by the passes.
#pragma once
#include <vulkan/vulkan.h>

#include "gpu/vk_resources.h"

namespace reelforge {

// Layout transition + access barrier on mip levels [base_level, base_level + levels) of `img`.
void image_barrier(VkCommandBuffer cb, VkImage img, VkImageLayout from, VkImageLayout to, VkAccessFlags src_access,
                   VkAccessFlags dst_access, VkPipelineStageFlags src_stage, VkPipelineStageFlags dst_stage,
                   uint32_t base_level = 0, uint32_t levels = 1);
void memory_barrier(VkCommandBuffer cb, VkAccessFlags src, VkAccessFlags dst, VkPipelineStageFlags src_stage,
                    VkPipelineStageFlags dst_stage);

// A one-time command buffer for setup work, and its synchronous submission (freed afterwards).
VkCommandBuffer begin_one_time(VkDevice dev, VkCommandPool pool);
void submit_and_wait(VkContext& ctx, VkCommandPool pool, VkCommandBuffer cb);

// Grows `b` to at least `size` bytes (by half again, so steady growth reallocates rarely).
void ensure_buffer(const VkContext& ctx, Buffer& b, VkDeviceSize size, VkBufferUsageFlags usage, bool host_visible);

VkWriteDescriptorSet buffer_write(VkDescriptorSet set, uint32_t binding, VkDescriptorType type,
                                  const VkDescriptorBufferInfo* info);
VkWriteDescriptorSet texel_buffer_write(VkDescriptorSet set, uint32_t binding, const VkBufferView* view);
VkWriteDescriptorSet image_write(VkDescriptorSet set, uint32_t binding, VkDescriptorType type,
                                 const VkDescriptorImageInfo* info, uint32_t count = 1);

// Box-filtered mip chain of `img` (levels 1..img.levels-1 from level 0, by linear 2:1 blits).
// Expects level 0 in TRANSFER_DST_OPTIMAL, the others UNDEFINED; leaves all in SHADER_READ_ONLY_OPTIMAL.
void record_mipmaps(VkCommandBuffer cb, const Image& img);

inline VkDeviceSize align_up(VkDeviceSize v, VkDeviceSize a) { return (v + a - 1) / a * a; }
inline int align16(int v) { return (v + 15) & ~15; }

}  // namespace reelforge
