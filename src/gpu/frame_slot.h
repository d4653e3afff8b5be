// One frame in flight: the sequence its passes record into (command buffer, fence, descriptor
// pools), the images they share (ImagePool) and the final outputs with their readback.
#pragma once
#include <vector>

#include "gpu/image_pool.h"
#include "gpu/vk_resources.h"

namespace reelforge {

class FrameSlot {
 public:
  // Outputs: NV12 (row_pixels x height x 1.5 bytes) and, with `rgba`, premultiplied RGBA8.
  FrameSlot(VkContext& ctx, VkCommandPool pool, int row_pixels, int height, bool rgba);
  ~FrameSlot();
  FrameSlot(const FrameSlot&) = delete;
  FrameSlot& operator=(const FrameSlot&) = delete;

  // Waits for the slot's previous frame, then starts recording a new one.
  VkCommandBuffer begin();
  // A descriptor set valid for this frame (pools grow as needed and are reset by begin()).
  VkDescriptorSet allocate(VkDescriptorSetLayout layout);
  ImagePool& images() { return images_; }
  // Counts begin() calls: passes use it to tell a new frame from another use within the same one.
  uint64_t serial() const { return serial_; }
  // Buffers the final pass writes.
  const Buffer& nv12_target() const { return nv12_gpu_; }
  const Buffer& rgba_target() const { return rgba_gpu_; }
  // Records the readback of the wanted outputs, ends the command buffer and submits it.
  void submit(bool want_nv12, bool want_rgba);
  void wait();

  const uint8_t* nv12() const;
  const uint8_t* rgba() const;

 private:
  void add_descriptor_pool();

  VkContext& ctx_;
  ImagePool images_;
  Buffer nv12_gpu_, nv12_host_;  // *_host only where memory is not unified
  Buffer rgba_gpu_, rgba_host_;
  std::vector<DescriptorPool> descriptors_;
  size_t descriptor_pool_ = 0;  // the pool allocate() draws from
  VkCommandBuffer cmd_ = VK_NULL_HANDLE;
  Fence fence_;
  bool in_flight_ = false;
  uint64_t serial_ = 0;
};

}  // namespace reelforge
