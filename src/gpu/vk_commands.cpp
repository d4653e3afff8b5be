#include "gpu/vk_commands.h"

#include <algorithm>

#include "gpu/vk_check.h"

namespace reelforge {

void image_barrier(VkCommandBuffer cb, VkImage img, VkImageLayout from, VkImageLayout to, VkAccessFlags src_access,
                   VkAccessFlags dst_access, VkPipelineStageFlags src_stage, VkPipelineStageFlags dst_stage,
                   uint32_t base_level, uint32_t levels) {
  VkImageMemoryBarrier b{VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER};
  b.oldLayout = from;
  b.newLayout = to;
  b.srcAccessMask = src_access;
  b.dstAccessMask = dst_access;
  b.srcQueueFamilyIndex = b.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
  b.image = img;
  b.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, base_level, levels, 0, 1};
  vkCmdPipelineBarrier(cb, src_stage, dst_stage, 0, 0, nullptr, 0, nullptr, 1, &b);
}

void memory_barrier(VkCommandBuffer cb, VkAccessFlags src, VkAccessFlags dst, VkPipelineStageFlags ss,
                    VkPipelineStageFlags ds) {
  VkMemoryBarrier b{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  b.srcAccessMask = src;
  b.dstAccessMask = dst;
  vkCmdPipelineBarrier(cb, ss, ds, 0, 1, &b, 0, nullptr, 0, nullptr);
}

VkCommandBuffer begin_one_time(VkDevice dev, VkCommandPool pool) {
  VkCommandBufferAllocateInfo cai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  cai.commandPool = pool;
  cai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  cai.commandBufferCount = 1;
  VkCommandBuffer cb;
  RF_VK(vkAllocateCommandBuffers(dev, &cai, &cb));
  VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  RF_VK(vkBeginCommandBuffer(cb, &bi));
  return cb;
}

void submit_and_wait(VkContext& ctx, VkCommandPool pool, VkCommandBuffer cb) {
  RF_VK(vkEndCommandBuffer(cb));
  Fence fence = make_fence(ctx, false);
  VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  si.commandBufferCount = 1;
  si.pCommandBuffers = &cb;
  {
    std::lock_guard lk(ctx.queue_mutex);
    RF_VK(vkQueueSubmit(ctx.queue, 1, &si, fence));
  }
  VkFence f = fence;
  RF_VK(vkWaitForFences(ctx.device, 1, &f, VK_TRUE, UINT64_MAX));
  vkFreeCommandBuffers(ctx.device, pool, 1, &cb);
}

void ensure_buffer(const VkContext& ctx, Buffer& b, VkDeviceSize size, VkBufferUsageFlags usage, bool host_visible) {
  if (b.buffer != VK_NULL_HANDLE && b.size >= size) return;
  const VkDeviceSize grown = std::max<VkDeviceSize>({size, b.size + b.size / 2, 256});
  b = Buffer{};  // free first: the old one may be large
  b = make_buffer(ctx, grown, usage, host_visible);
}

namespace {
// A write of `count` descriptors of `type` at `binding`; the caller points it at their info.
VkWriteDescriptorSet descriptor_write(VkDescriptorSet set, uint32_t binding, VkDescriptorType type, uint32_t count) {
  VkWriteDescriptorSet w{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
  w.dstSet = set;
  w.dstBinding = binding;
  w.descriptorCount = count;
  w.descriptorType = type;
  return w;
}
}  // namespace

VkWriteDescriptorSet buffer_write(VkDescriptorSet set, uint32_t binding, VkDescriptorType type,
                                  const VkDescriptorBufferInfo* info) {
  VkWriteDescriptorSet w = descriptor_write(set, binding, type, 1);
  w.pBufferInfo = info;
  return w;
}

VkWriteDescriptorSet texel_buffer_write(VkDescriptorSet set, uint32_t binding, const VkBufferView* view) {
  VkWriteDescriptorSet w = descriptor_write(set, binding, VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, 1);
  w.pTexelBufferView = view;
  return w;
}

VkWriteDescriptorSet image_write(VkDescriptorSet set, uint32_t binding, VkDescriptorType type,
                                 const VkDescriptorImageInfo* info, uint32_t count) {
  VkWriteDescriptorSet w = descriptor_write(set, binding, type, count);
  w.pImageInfo = info;
  return w;
}

void record_mipmaps(VkCommandBuffer cb, const Image& img) {
  const auto tr = VK_PIPELINE_STAGE_TRANSFER_BIT;
  int w = img.width, h = img.height;
  for (uint32_t level = 1; level < img.levels; ++level) {
    image_barrier(cb, img.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                  VK_ACCESS_TRANSFER_WRITE_BIT, VK_ACCESS_TRANSFER_READ_BIT, tr, tr, level - 1);
    image_barrier(cb, img.image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 0,
                  VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, tr, level);
    const int nw = std::max(1, w / 2), nh = std::max(1, h / 2);
    VkImageBlit b{};
    b.srcSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, level - 1, 0, 1};
    b.srcOffsets[1] = {w, h, 1};
    b.dstSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, level, 0, 1};
    b.dstOffsets[1] = {nw, nh, 1};
    // A linear 2:1 blit samples between each 2x2 group of texels: their box average.
    vkCmdBlitImage(cb, img.image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, img.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                   1, &b, VK_FILTER_LINEAR);
    w = nw, h = nh;
  }
  const auto cs = VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT;
  if (img.levels > 1)
    image_barrier(cb, img.image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL,
                  VK_ACCESS_TRANSFER_READ_BIT, VK_ACCESS_SHADER_READ_BIT, tr, cs, 0, img.levels - 1);
  image_barrier(cb, img.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL,
                VK_ACCESS_TRANSFER_WRITE_BIT, VK_ACCESS_SHADER_READ_BIT, tr, cs, img.levels - 1);
}

}  // namespace reelforge
