#include "gpu/mask_pass.h"

#include <algorithm>
#include <cmath>

#include "gpu/spec_constants.h"
#include "gpu/vk_commands.h"
#include "util/errors.h"

namespace reelforge {

namespace {
struct MaskPush {  // Push in shaders/mask.comp
  int32_t size[4];
  float blur[4];
};
static_assert(sizeof(MaskPush) == 32);
}  // namespace

MaskPass::MaskPass(const VkContext& ctx, int slots)
    : ctx_(ctx),
      program_(ctx, shaders::mask(),
               {{0, VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr},
                {1, VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr},
                {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr},
                {3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr}},
               sizeof(MaskPush)),
      buffers_(slots) {}

void MaskPass::apply(Frame& f, size_t n, const Image& mask, const LayerSource& src, double feather) {
  const Image& content = *f.textures[n].image;
  const int w = content.width, h = content.height;
  Buffers& b = buffers_.next(f.slot, f.slot_index);
  const bool blur = feather > 0.05;
  const VkDeviceSize px = VkDeviceSize(w) * VkDeviceSize(h);
  ensure_buffer(ctx_, b.out, px * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT, false);
  if (blur) ensure_buffer(ctx_, b.tmp, px * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, false);
  const VkDescriptorImageInfo ci{VK_NULL_HANDLE, content.view, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL};
  const VkDescriptorImageInfo mi{VK_NULL_HANDLE, mask.view, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL};
  const VkDescriptorBufferInfo tmp{blur ? b.tmp.buffer.get() : b.out.buffer.get(), 0, VK_WHOLE_SIZE};
  const VkDescriptorBufferInfo out{b.out.buffer, 0, VK_WHOLE_SIZE};
  VkDescriptorSet set = f.slot.allocate(program_.set_layout());
  const VkWriteDescriptorSet wr[4] = {image_write(set, 0, VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE, &ci),
                                      image_write(set, 1, VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE, &mi),
                                      buffer_write(set, 2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, &tmp),
                                      buffer_write(set, 3, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, &out)};
  vkUpdateDescriptorSets(ctx_.device, 4, wr, 0, nullptr);
  MaskPush pc{{w, h, int32_t(std::min(2048.0, std::ceil(3.0 * feather))), 0}, {float(feather), 0, 0, 0}};
  MaskSpec spec;
  spec.luma = src.mask_mode == MaskMode::Luma;
  spec.invert = src.mask_invert;
  VkCommandBuffer cb = f.cmd;
  auto run = [&](int stage) {
    spec.stage = stage;
    vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, program_.pipeline(spec));
    vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, program_.layout(), 0, 1, &set, 0, nullptr);
    vkCmdPushConstants(cb, program_.layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof pc, &pc);
    vkCmdDispatch(cb, uint32_t((w + 15) / 16), uint32_t((h + 7) / 8), 1);
  };
  if (blur) {
    run(0);
    memory_barrier(cb, VK_ACCESS_SHADER_WRITE_BIT, VK_ACCESS_SHADER_READ_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                   VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
    run(1);
  } else {
    run(2);
  }
  const VkImageUsageFlags use = VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT;
  Image& img = f.slot.images().acquire(ctx_, {w, h, VK_FORMAT_R8G8B8A8_UNORM, content.levels, use});
  memory_barrier(cb, VK_ACCESS_SHADER_WRITE_BIT, VK_ACCESS_TRANSFER_READ_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                 VK_PIPELINE_STAGE_TRANSFER_BIT);
  image_barrier(cb, img.image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 0,
                VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT);
  VkBufferImageCopy r{};
  r.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
  r.imageExtent = {uint32_t(w), uint32_t(h), 1};
  vkCmdCopyBufferToImage(cb, b.out.buffer, img.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &r);
  record_mipmaps(cb, img);
  f.textures[n] = {&img, false, f.textures[n].orientation};
}

}  // namespace reelforge
