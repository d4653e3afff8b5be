#include "gpu/frame_slot.h"

#include "gpu/vk_check.h"
#include "gpu/vk_commands.h"

namespace reelforge {

FrameSlot::FrameSlot(VkContext& ctx, VkCommandPool pool, int row_pixels, int height, bool rgba) : ctx_(ctx) {
  const VkDeviceSize nv12_size = VkDeviceSize(row_pixels) * height * 3 / 2;
  const VkDeviceSize rgba_size = VkDeviceSize(row_pixels) * 4 * height;
  const VkBufferUsageFlags out_use = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT;
  // On unified memory shaders write the outputs straight into host-visible memory: no copy.
  nv12_gpu_ = make_buffer(ctx_, nv12_size, out_use, ctx_.unified_memory);
  if (!ctx_.unified_memory) nv12_host_ = make_buffer(ctx_, nv12_size, VK_BUFFER_USAGE_TRANSFER_DST_BIT, true);
  if (rgba) {
    rgba_gpu_ = make_buffer(ctx_, rgba_size, out_use, ctx_.unified_memory);
    if (!ctx_.unified_memory) rgba_host_ = make_buffer(ctx_, rgba_size, VK_BUFFER_USAGE_TRANSFER_DST_BIT, true);
  }
  VkCommandBufferAllocateInfo cai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  cai.commandPool = pool;
  cai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  cai.commandBufferCount = 1;
  RF_VK(vkAllocateCommandBuffers(ctx_.device, &cai, &cmd_));
  fence_ = make_fence(ctx_, false);
  add_descriptor_pool();
}

FrameSlot::~FrameSlot() {
  // Resources must outlive any GPU work that still uses them.
  if (in_flight_) {
    VkFence f = fence_;
    vkWaitForFences(ctx_.device, 1, &f, VK_TRUE, UINT64_MAX);
  }
}

void FrameSlot::add_descriptor_pool() {
  constexpr uint32_t n = 64;  // sets per pool
  const VkDescriptorPoolSize sizes[] = {{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, n * 4},
                                        {VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC, n},
                                        {VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, n},
                                        {VK_DESCRIPTOR_TYPE_SAMPLER, n},
                                        {VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE, n * 8},
                                        {VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, n * 2},
                                        {VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, n * 2},
                                        {VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, n}};
  VkDescriptorPoolCreateInfo dpi{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  dpi.maxSets = n;
  dpi.poolSizeCount = uint32_t(std::size(sizes));
  dpi.pPoolSizes = sizes;
  VkDescriptorPool pool;
  RF_VK(vkCreateDescriptorPool(ctx_.device, &dpi, nullptr, &pool));
  descriptors_.emplace_back(ctx_.device, pool);
}

VkDescriptorSet FrameSlot::allocate(VkDescriptorSetLayout layout) {
  for (;; ++descriptor_pool_) {
    if (descriptor_pool_ == descriptors_.size()) add_descriptor_pool();
    VkDescriptorSetAllocateInfo dai{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
    dai.descriptorPool = descriptors_[descriptor_pool_];
    dai.descriptorSetCount = 1;
    dai.pSetLayouts = &layout;
    VkDescriptorSet set;
    const VkResult r = vkAllocateDescriptorSets(ctx_.device, &dai, &set);
    if (r == VK_SUCCESS) return set;
    if (r != VK_ERROR_OUT_OF_POOL_MEMORY && r != VK_ERROR_FRAGMENTED_POOL) RF_VK(r);
  }
}

VkCommandBuffer FrameSlot::begin() {
  wait();
  for (auto& p : descriptors_) RF_VK(vkResetDescriptorPool(ctx_.device, p, 0));
  descriptor_pool_ = 0;
  images_.begin_frame();
  ++serial_;
  RF_VK(vkResetCommandBuffer(cmd_, 0));
  VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  RF_VK(vkBeginCommandBuffer(cmd_, &bi));
  return cmd_;
}

void FrameSlot::submit(bool want_nv12, bool want_rgba) {
  VkCommandBuffer cb = cmd_;
  auto readback = [&](const Buffer& gpu, const Buffer& host) {
    memory_barrier(cb, VK_ACCESS_SHADER_WRITE_BIT, VK_ACCESS_TRANSFER_READ_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                   VK_PIPELINE_STAGE_TRANSFER_BIT);
    VkBufferCopy r{0, 0, gpu.size};
    vkCmdCopyBuffer(cb, gpu.buffer, host.buffer, 1, &r);
  };
  if (!ctx_.unified_memory) {
    if (want_nv12) readback(nv12_gpu_, nv12_host_);
    if (want_rgba) readback(rgba_gpu_, rgba_host_);
  }
  memory_barrier(cb, VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT, VK_ACCESS_HOST_READ_BIT,
                 VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT);
  RF_VK(vkEndCommandBuffer(cb));
  VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  si.commandBufferCount = 1;
  si.pCommandBuffers = &cb;
  {
    std::lock_guard lk(ctx_.queue_mutex);
    RF_VK(vkQueueSubmit(ctx_.queue, 1, &si, fence_));
  }
  in_flight_ = true;
}

void FrameSlot::wait() {
  if (!in_flight_) return;
  VkFence f = fence_;
  RF_VK(vkWaitForFences(ctx_.device, 1, &f, VK_TRUE, UINT64_MAX));
  RF_VK(vkResetFences(ctx_.device, 1, &f));
  in_flight_ = false;
}

const uint8_t* FrameSlot::nv12() const {
  return static_cast<const uint8_t*>(ctx_.unified_memory ? nv12_gpu_.mapped : nv12_host_.mapped);
}

const uint8_t* FrameSlot::rgba() const {
  return static_cast<const uint8_t*>(ctx_.unified_memory ? rgba_gpu_.mapped : rgba_host_.mapped);
}

}  // namespace reelforge
