#include "gpu/generated_pass.h"

#include <algorithm>
#include <cstring>

#include "gpu/vk_commands.h"

namespace reelforge {

namespace {
bool all_opaque(const RgbaImage& img) {
  for (size_t k = 3; k < img.pixels.size(); k += 4)
    if (img.pixels[k] != 255) return false;
  return true;
}

// Mip levels for a picture drawn at `d`'s placement: a full chain where it is shown smaller than
// its resolution (a generator that does not rasterise at the displayed size), else one level.
uint32_t levels_for(const LayerDraw& d, const RgbaImage& img) {
  const double shown_w = d.place.size[0] * d.place.px_per_local[0], shown_h = d.place.size[1] * d.place.px_per_local[1];
  const bool shrunk = img.width > shown_w * 1.01 + 1 || img.height > shown_h * 1.01 + 1;
  return shrunk ? full_mip_levels(img.width, img.height) : 1u;
}
}  // namespace

void GeneratedPass::record(Frame& f) {
  PerSlot& s = slots_.at(f.slot_index);
  if (s.last_frame != f.slot.serial()) {  // a new frame of this slot: age the textures
    s.last_frame = f.slot.serial();
    for (auto& [src, c] : s.layers) ++c.idle;
    std::erase_if(s.layers, [](const auto& e) { return e.second.idle > kIdleFrames; });
  }
  std::vector<size_t> changed;  // draws whose picture this slot's texture does not hold
  for (size_t n = 0; n < f.draws.size(); ++n) {
    const LayerDraw& d = f.draws[n];
    const LayerSource& src = f.sources.at(size_t(d.layer));
    if (src.kind != LayerKind::Generated || !d.picture) continue;
    Cached& c = s.layers[&src];
    c.idle = 0;
    if (c.picture != d.picture) changed.push_back(n);
  }
  if (!changed.empty()) upload(f, s, changed);
  for (size_t n = 0; n < f.draws.size(); ++n) {
    const LayerDraw& d = f.draws[n];
    const LayerSource& src = f.sources.at(size_t(d.layer));
    if (src.kind != LayerKind::Generated || !d.picture) continue;
    const Cached& c = s.layers.at(&src);
    f.textures[n] = {&c.image, c.opaque, {}};
  }
}

void GeneratedPass::upload(Frame& f, PerSlot& s, const std::vector<size_t>& changed) {
  VkDeviceSize total = 0;
  for (size_t n : changed) total += f.draws[n].picture->pixels.size();
  Buffer& staging = staging_.next(f.slot, f.slot_index);
  ensure_buffer(f.ctx, staging, total, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, true);
  VkDeviceSize offset = 0;
  const VkImageUsageFlags use =
      VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT;
  for (size_t n : changed) {
    const LayerDraw& d = f.draws[n];
    const RgbaImage& img = *d.picture;
    Cached& c = s.layers.at(&f.sources.at(size_t(d.layer)));
    const uint32_t levels = levels_for(d, img);
    // The slot's previous frame (the only user of this texture) has finished: safe to replace.
    if (c.image.width != img.width || c.image.height != img.height || c.image.levels != levels)
      c.image = make_image(f.ctx, img.width, img.height, VK_FORMAT_R8G8B8A8_UNORM, use, levels);
    std::memcpy(static_cast<uint8_t*>(staging.mapped) + offset, img.pixels.data(), img.pixels.size());
    image_barrier(f.cmd, c.image.image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 0,
                  VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT);
    VkBufferImageCopy r{};
    r.bufferOffset = offset;
    r.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
    r.imageExtent = {uint32_t(img.width), uint32_t(img.height), 1};
    vkCmdCopyBufferToImage(f.cmd, staging.buffer, c.image.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &r);
    record_mipmaps(f.cmd, c.image);  // leaves every level SHADER_READ_ONLY for the compute stage
    offset += img.pixels.size();
    c.picture = d.picture;
    c.opaque = all_opaque(img);
    ++uploads_;
  }
}

}  // namespace reelforge
