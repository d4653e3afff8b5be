#include "gpu/static_images.h"

#include <cstring>

#include "gpu/vk_commands.h"
#include "util/errors.h"

namespace reelforge {

StaticImages::StaticImages(VkContext& ctx, VkCommandPool pool, const std::vector<LayerSource>& sources) {
  const RgbaImage transparent{1, 1, {0, 0, 0, 0}};
  VkDeviceSize total = 4;
  opaque_.assign(sources.size(), false);
  for (size_t i = 0; i < sources.size(); ++i)
    if (sources[i].kind == LayerKind::Image) {
      const auto& img = sources[i].image;
      if (!img || img->pixels.empty()) throw InputError("image layer " + std::to_string(i) + " has no pixels");
      total += img->pixels.size();
      bool opaque = true;
      for (size_t k = 3; k < img->pixels.size() && opaque; k += 4) opaque = img->pixels[k] == 255;
      opaque_[i] = opaque;
    }
  Buffer staging = make_buffer(ctx, total, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, true);
  const VkImageUsageFlags use =
      VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT;
  images_.resize(sources.size());
  VkCommandBuffer cb = begin_one_time(ctx.device, pool);
  VkDeviceSize offset = 0;
  auto upload = [&](const RgbaImage& img, Image& dst, uint32_t levels) {
    dst = make_image(ctx, img.width, img.height, VK_FORMAT_R8G8B8A8_UNORM, use, levels);
    std::memcpy(static_cast<uint8_t*>(staging.mapped) + offset, img.pixels.data(), img.pixels.size());
    image_barrier(cb, dst.image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 0,
                  VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT);
    VkBufferImageCopy r{};
    r.bufferOffset = offset;
    r.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
    r.imageExtent = {uint32_t(img.width), uint32_t(img.height), 1};
    vkCmdCopyBufferToImage(cb, staging.buffer, dst.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &r);
    record_mipmaps(cb, dst);
    offset += img.pixels.size();
  };
  upload(transparent, dummy_, 1);
  for (size_t i = 0; i < sources.size(); ++i)
    if (sources[i].kind == LayerKind::Image) {
      const RgbaImage& img = *sources[i].image;
      upload(img, images_[i], full_mip_levels(img.width, img.height));
    }
  submit_and_wait(ctx, pool, cb);
}

}  // namespace reelforge
