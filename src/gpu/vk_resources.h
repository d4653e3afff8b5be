// RAII owners for the Vulkan objects reelforge creates. Each frees its handle in its destructor.
#pragma once
#include <vulkan/vulkan.h>

#include <memory>
#include <utility>

#include "gpu/vk_context.h"

namespace reelforge {

// Generic owner: `Destroy(device, handle, nullptr)` on destruction.
template <class H, void (*Destroy)(VkDevice, H, const VkAllocationCallbacks*)>
class VkOwned {
 public:
  VkOwned() = default;
  VkOwned(VkDevice d, H h) : d_(d), h_(h) {}
  VkOwned(VkOwned&& o) noexcept : d_(o.d_), h_(std::exchange(o.h_, H(VK_NULL_HANDLE))) {}
  VkOwned& operator=(VkOwned&& o) noexcept {
    if (this != &o) { reset(); d_ = o.d_; h_ = std::exchange(o.h_, H(VK_NULL_HANDLE)); }
    return *this;
  }
  ~VkOwned() { reset(); }
  void reset() { if (h_ != H(VK_NULL_HANDLE)) Destroy(d_, h_, nullptr); h_ = H(VK_NULL_HANDLE); }
  H get() const { return h_; }
  operator H() const { return h_; }

 private:
  VkDevice d_ = VK_NULL_HANDLE;
  H h_ = H(VK_NULL_HANDLE);
};

using ShaderModule = VkOwned<VkShaderModule, vkDestroyShaderModule>;
using Pipeline = VkOwned<VkPipeline, vkDestroyPipeline>;
using PipelineLayout = VkOwned<VkPipelineLayout, vkDestroyPipelineLayout>;
using DescriptorSetLayout = VkOwned<VkDescriptorSetLayout, vkDestroyDescriptorSetLayout>;
using DescriptorPool = VkOwned<VkDescriptorPool, vkDestroyDescriptorPool>;
using CommandPool = VkOwned<VkCommandPool, vkDestroyCommandPool>;
using Fence = VkOwned<VkFence, vkDestroyFence>;
using Sampler = VkOwned<VkSampler, vkDestroySampler>;
using ImageView = VkOwned<VkImageView, vkDestroyImageView>;
using VkBufferOwned = VkOwned<VkBuffer, vkDestroyBuffer>;
using VkImageOwned = VkOwned<VkImage, vkDestroyImage>;
using DeviceMemory = VkOwned<VkDeviceMemory, vkFreeMemory>;
using BufferView = VkOwned<VkBufferView, vkDestroyBufferView>;

// A buffer with its own memory; host-visible ones stay mapped for their lifetime.
struct Buffer {
  VkBufferOwned buffer;  // declared before memory: destroyed first
  DeviceMemory memory;
  VkDeviceSize size = 0;
  void* mapped = nullptr;
};
Buffer make_buffer(const VkContext& ctx, VkDeviceSize size, VkBufferUsageFlags usage, bool host_visible);

// A buffer read as texels of `format` (`texel_bytes` each) through a uniform texel buffer
// descriptor: as many whole texels as the buffer holds, up to the device's maxTexelBufferElements
// (`bytes` is set to what the view covers).
struct TexelView {
  BufferView view;
  VkDeviceSize bytes = 0;
};
TexelView make_texel_view(const VkContext& ctx, const Buffer& b, VkFormat format, VkDeviceSize texel_bytes);
// The bytes such a view covers: whole texels of the buffer, at most `max_texels` of them.
VkDeviceSize texel_view_bytes(VkDeviceSize buffer_bytes, VkDeviceSize texel_bytes, uint32_t max_texels);

// A 2D image with its memory and a view of all its mip levels.
struct Image {
  VkImageOwned image;
  DeviceMemory memory;
  ImageView view;
  VkFormat format = VK_FORMAT_UNDEFINED;
  int width = 0, height = 0;
  uint32_t levels = 1;  // mip levels
  // Linear images only (make_linear_image): a storage buffer over the same memory, rows of
  // `alias_row_pixels` texels, that a shader writes the texels through (no copy into the image).
  VkBufferOwned alias;
  int alias_row_pixels = 0;
};
Image make_image(const VkContext& ctx, int width, int height, VkFormat format, VkImageUsageFlags usage,
                 uint32_t levels = 1);
// A one-level, linearly tiled 4-byte-texel image with a storage-buffer alias over its memory,
// or an image without one (alias null) where the device cannot sample such an image or lays
// its rows out at a stride that is not a multiple of `row_multiple` texels, or shorter.
Image make_linear_image(const VkContext& ctx, int width, int height, VkFormat format, VkImageUsageFlags usage,
                        int row_multiple);
// Whether rows of `pitch` bytes hold `width` texels of `texel` bytes written in whole runs of
// `row_multiple` texels (a shader's blocks overhang the last texel) without reaching the next
// row, at a stride of whole runs: make_linear_image's condition for an alias.
bool linear_rows_fit(uint64_t pitch, int width, int texel, int row_multiple);
// Mip levels down to 1x1 (a full chain).
uint32_t full_mip_levels(int width, int height);

Fence make_fence(const VkContext& ctx, bool signaled);

}  // namespace reelforge
