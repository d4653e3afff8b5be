#include "gpu/static_images.h"

#include <algorithm>
#include <cstring>

#include "gpu/vk_commands.h"
#include "util/errors.h"

namespace reelforge {

namespace {
// Every image layer's picture in the tree of sources (nested timelines, masks), once each.
void collect(const std::vector<LayerSource>& sources, std::vector<const RgbaImage*>& out) {
  for (size_t i = 0; i < sources.size(); ++i) {
    const LayerSource& s = sources[i];
    if (s.kind == LayerKind::Image) {
      if (!s.image || s.image->pixels.empty()) throw InputError("image layer " + std::to_string(i) + " has no pixels");
      if (std::find(out.begin(), out.end(), s.image.get()) == out.end()) out.push_back(s.image.get());
    }
    collect(s.children, out);
    collect(s.mask, out);
  }
}
}  // namespace

StaticImages::StaticImages(VkContext& ctx, VkCommandPool pool, const std::vector<LayerSource>& sources) {
  const RgbaImage transparent{1, 1, {0, 0, 0, 0}};
  std::vector<const RgbaImage*> pictures;
  collect(sources, pictures);
  VkDeviceSize total = 4;
  for (const RgbaImage* img : pictures) total += img->pixels.size();
  Buffer staging = make_buffer(ctx, total, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, true);
  const VkImageUsageFlags use =
      VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT;
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
  for (const RgbaImage* img : pictures) {
    Entry& e = images_[img];
    bool opaque = true;
    for (size_t k = 3; k < img->pixels.size() && opaque; k += 4) opaque = img->pixels[k] == 255;
    e.opaque = opaque;
    upload(*img, e.image, full_mip_levels(img->width, img->height));
  }
  submit_and_wait(ctx, pool, cb);
}

}  // namespace reelforge
