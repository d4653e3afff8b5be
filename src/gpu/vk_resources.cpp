#include "gpu/vk_resources.h"

#include "gpu/vk_check.h"

#include <algorithm>

namespace reelforge {

namespace {
VkDeviceMemory allocate(const VkContext& ctx, VkDeviceSize size, uint32_t type) {
  VkMemoryAllocateInfo mai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  mai.allocationSize = size;
  mai.memoryTypeIndex = type;
  VkDeviceMemory mem;
  RF_VK(vkAllocateMemory(ctx.device, &mai, nullptr, &mem));
  return mem;
}
}  // namespace

Buffer make_buffer(const VkContext& ctx, VkDeviceSize size, VkBufferUsageFlags usage, bool host_visible) {
  Buffer b;
  b.size = size;
  VkBufferCreateInfo bci{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  bci.size = size;
  bci.usage = usage;
  bci.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  VkBuffer raw;
  RF_VK(vkCreateBuffer(ctx.device, &bci, nullptr, &raw));
  b.buffer = VkBufferOwned(ctx.device, raw);
  VkMemoryRequirements req;
  vkGetBufferMemoryRequirements(ctx.device, raw, &req);
  // Host-visible buffers are read back by the CPU: cached memory makes those reads fast.
  const uint32_t type = host_visible
      ? ctx.memory_type(req.memoryTypeBits, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                        VK_MEMORY_PROPERTY_HOST_CACHED_BIT)
      : ctx.memory_type(req.memoryTypeBits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
  const VkDeviceMemory mem = allocate(ctx, req.size, type);
  b.memory = DeviceMemory(ctx.device, mem);
  RF_VK(vkBindBufferMemory(ctx.device, raw, mem, 0));
  if (host_visible) RF_VK(vkMapMemory(ctx.device, mem, 0, VK_WHOLE_SIZE, 0, &b.mapped));
  return b;
}

VkDeviceSize texel_view_bytes(VkDeviceSize buffer_bytes, VkDeviceSize texel_bytes, uint32_t max_texels) {
  return std::min<VkDeviceSize>(buffer_bytes / texel_bytes, max_texels) * texel_bytes;
}

TexelView make_texel_view(const VkContext& ctx, const Buffer& b, VkFormat format, VkDeviceSize texel_bytes) {
  TexelView t;
  t.bytes = texel_view_bytes(b.size, texel_bytes, ctx.props.limits.maxTexelBufferElements);
  VkBufferViewCreateInfo bi{VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO};
  bi.buffer = b.buffer;
  bi.format = format;
  bi.range = t.bytes;
  VkBufferView raw;
  RF_VK(vkCreateBufferView(ctx.device, &bi, nullptr, &raw));
  t.view = BufferView(ctx.device, raw);
  return t;
}

namespace {
// An image without memory: width x height, `levels` mip levels, one layer, initially undefined.
Image create_image(const VkContext& ctx, int width, int height, VkFormat format, VkImageUsageFlags usage,
                   uint32_t levels, VkImageTiling tiling) {
  Image im;
  im.format = format;
  im.width = width;
  im.height = height;
  im.levels = levels;
  VkImageCreateInfo ici{VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO};
  ici.imageType = VK_IMAGE_TYPE_2D;
  ici.format = format;
  ici.extent = {uint32_t(width), uint32_t(height), 1};
  ici.mipLevels = levels;
  ici.arrayLayers = 1;
  ici.samples = VK_SAMPLE_COUNT_1_BIT;
  ici.tiling = tiling;
  ici.usage = usage;
  ici.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
  VkImage raw;
  RF_VK(vkCreateImage(ctx.device, &ici, nullptr, &raw));
  im.image = VkImageOwned(ctx.device, raw);
  return im;
}

// Binds `im` to `mem` and makes its view of every level.
void bind_and_view(const VkContext& ctx, Image& im, VkDeviceMemory mem) {
  im.memory = DeviceMemory(ctx.device, mem);
  RF_VK(vkBindImageMemory(ctx.device, im.image, mem, 0));
  VkImageViewCreateInfo vci{VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO};
  vci.image = im.image;
  vci.viewType = VK_IMAGE_VIEW_TYPE_2D;
  vci.format = im.format;
  vci.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, im.levels, 0, 1};
  VkImageView view;
  RF_VK(vkCreateImageView(ctx.device, &vci, nullptr, &view));
  im.view = ImageView(ctx.device, view);
}
}  // namespace

Image make_image(const VkContext& ctx, int width, int height, VkFormat format, VkImageUsageFlags usage,
                 uint32_t levels) {
  Image im = create_image(ctx, width, height, format, usage, levels, VK_IMAGE_TILING_OPTIMAL);
  VkMemoryRequirements req;
  vkGetImageMemoryRequirements(ctx.device, im.image, &req);
  bind_and_view(ctx, im, allocate(ctx, req.size, ctx.memory_type(req.memoryTypeBits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT)));
  return im;
}

Image make_linear_image(const VkContext& ctx, int width, int height, VkFormat format, VkImageUsageFlags usage,
                        int row_multiple) {
  VkImageFormatProperties props;
  if (vkGetPhysicalDeviceImageFormatProperties(ctx.physical, format, VK_IMAGE_TYPE_2D, VK_IMAGE_TILING_LINEAR, usage, 0,
                                               &props) != VK_SUCCESS ||
      props.maxExtent.width < uint32_t(width) || props.maxExtent.height < uint32_t(height))
    return make_image(ctx, width, height, format, usage, 1);
  Image im = create_image(ctx, width, height, format, usage, 1, VK_IMAGE_TILING_LINEAR);
  VkImageSubresource sub{VK_IMAGE_ASPECT_COLOR_BIT, 0, 0};
  VkSubresourceLayout layout;
  vkGetImageSubresourceLayout(ctx.device, im.image, &sub, &layout);
  const VkDeviceSize texel = 4, pitch = layout.rowPitch;
  if (layout.offset != 0 || !linear_rows_fit(pitch, width, int(texel), row_multiple))
    return make_image(ctx, width, height, format, usage, 1);
  VkBufferCreateInfo bci{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  bci.size = pitch * VkDeviceSize(height);
  bci.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
  bci.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  VkBuffer buf;
  RF_VK(vkCreateBuffer(ctx.device, &bci, nullptr, &buf));
  im.alias = VkBufferOwned(ctx.device, buf);
  VkMemoryRequirements ireq, breq;
  vkGetImageMemoryRequirements(ctx.device, im.image, &ireq);
  vkGetBufferMemoryRequirements(ctx.device, buf, &breq);
  const VkDeviceMemory mem = allocate(ctx, std::max(ireq.size, breq.size),
                                      ctx.memory_type(ireq.memoryTypeBits & breq.memoryTypeBits, 0,
                                                      VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT));
  bind_and_view(ctx, im, mem);
  RF_VK(vkBindBufferMemory(ctx.device, buf, mem, 0));
  im.alias_row_pixels = int(pitch / texel);
  return im;
}

bool linear_rows_fit(uint64_t pitch, int width, int texel, int row_multiple) {
  const uint64_t run = uint64_t(texel) * uint64_t(row_multiple);
  const uint64_t runs = (uint64_t(width) + uint64_t(row_multiple) - 1) / uint64_t(row_multiple);
  return pitch % run == 0 && pitch >= runs * run;
}

uint32_t full_mip_levels(int width, int height) {
  uint32_t n = 1;
  for (int m = std::max(width, height); m > 1; m /= 2) ++n;
  return n;
}

Fence make_fence(const VkContext& ctx, bool signaled) {
  VkFenceCreateInfo fci{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  if (signaled) fci.flags = VK_FENCE_CREATE_SIGNALED_BIT;
  VkFence f;
  RF_VK(vkCreateFence(ctx.device, &fci, nullptr, &f));
  return Fence(ctx.device, f);
}

}  // namespace reelforge
