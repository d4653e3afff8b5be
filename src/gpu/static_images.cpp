#include "gpu/static_images.h"

#include <algorithm>
#include <cstring>

#include "gpu/pass.h"
#include "gpu/vk_commands.h"
#include "util/errors.h"

namespace reelforge {

namespace {
constexpr VkImageUsageFlags kUse =
    VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT;

// Records the copy of `img` from `staging` (at offset 0) into `dst` and its mip chain.
void record_upload(VkCommandBuffer cb, const Buffer& staging, const RgbaImage& img, Image& dst) {
  std::memcpy(staging.mapped, img.pixels.data(), img.pixels.size());
  image_barrier(cb, dst.image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 0,
                VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT);
  VkBufferImageCopy r{};
  r.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
  r.imageExtent = {uint32_t(img.width), uint32_t(img.height), 1};
  vkCmdCopyBufferToImage(cb, staging.buffer, dst.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &r);
  record_mipmaps(cb, dst);  // leaves every level SHADER_READ_ONLY for the compute stage (no blit for one)
}
}  // namespace

StaticImages::StaticImages(VkContext& ctx, VkCommandPool pool, int slots) : uses_(slots) {
  const RgbaImage transparent{1, 1, {0, 0, 0, 0}};
  Buffer staging = make_buffer(ctx, 4, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, true);
  dummy_ = make_image(ctx, 1, 1, VK_FORMAT_R8G8B8A8_UNORM, kUse, 1);
  VkCommandBuffer cb = begin_one_time(ctx.device, pool);
  record_upload(cb, staging, transparent, dummy_);
  submit_and_wait(ctx, pool, cb);
}

const Image& StaticImages::image(Frame& f, size_t n) {
  const LayerSource& src = f.sources.at(size_t(f.draws[n].layer));
  if (!src.image || src.image->pixels.empty())
    throw InputError("image layer " + std::to_string(f.draws[n].layer) + " has no pixels");
  const RgbaImage& img = *src.image;
  const LayerPlacement& p = f.draws[n].place;
  const bool shrunk = img.width > p.size[0] * p.px_per_local[0] * 1.01 + 1 || img.height > p.size[1] * p.px_per_local[1] * 1.01 + 1;
  const uint32_t levels = shrunk ? full_mip_levels(img.width, img.height) : 1u;
  Entry& e = images_[&img];
  if (e.picture && e.image.levels < levels) {  // frames in flight may still sample the old one
    retired_.push_back(std::move(e));
    e = Entry{};
  }
  if (!e.picture) {
    upload(f, e, img, levels);
    e.picture = src.image;
  }
  uses_.use(e.drawn, f.slot_index);
  return e.image;
}

void StaticImages::upload(Frame& f, Entry& e, const RgbaImage& img, uint32_t levels) {
  e.image = make_image(f.ctx, img.width, img.height, VK_FORMAT_R8G8B8A8_UNORM, kUse, levels);
  e.staging = make_buffer(f.ctx, img.pixels.size(), VK_BUFFER_USAGE_TRANSFER_SRC_BIT, true);
  uses_.use(e.uploading, f.slot_index);
  record_upload(f.cmd, e.staging, img, e.image);
  bool opaque = true;
  for (size_t k = 3; k < img.pixels.size() && opaque; k += 4) opaque = img.pixels[k] == 255;
  e.opaque = opaque;
  ++uploads_;
}

void StaticImages::begin_frame(size_t slot, uint64_t serial) {
  uses_.begin(slot, serial);
  for (auto it = images_.begin(); it != images_.end();) {
    Entry& e = it->second;
    if (e.staging.buffer != VK_NULL_HANDLE && !uses_.in_use(e.uploading)) e.staging = Buffer{};
    it = uses_.idle(e.drawn) ? images_.erase(it) : std::next(it);
  }
  std::erase_if(retired_, [&](const Entry& e) { return !uses_.in_use(e.drawn); });
}

}  // namespace reelforge
