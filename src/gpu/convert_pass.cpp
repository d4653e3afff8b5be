#include "gpu/convert_pass.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "gpu/spec_constants.h"
#include "gpu/vk_check.h"
#include "gpu/vk_commands.h"
#include "gpu/yuv_matrix.h"
#include "util/errors.h"

extern "C" {
#include <libavutil/frame.h>
}

namespace reelforge {

namespace {
struct ConvertPush {  // Push in shaders/yuv_to_rgba.comp
  float m[3][4];
  int32_t size[4];
  int32_t offsets[4];
  int32_t out[4];
};
static_assert(sizeof(ConvertPush) == 96);

// One plane row by row into rows of `dst_stride` bytes, the last sample repeated up to the stride
// (yuv_to_rgba.comp reads whole words past the right edge).
void copy_plane(uint8_t* dst, int dst_stride, const uint8_t* src, int src_stride, int width, int height) {
  for (int y = 0; y < height; ++y) {
    uint8_t* d = dst + ptrdiff_t(y) * dst_stride;
    std::memcpy(d, src + ptrdiff_t(y) * src_stride, size_t(width));
    std::memset(d + width, d[width - 1], size_t(dst_stride - width));
  }
}

// Decoded pixels per canvas pixel along the layer's displayed x and y axes.
std::array<double, 2> shrink(const LayerDraw& d, const LayerSource& src) {
  const bool t = src.orientation.transposed;
  const double w = t ? src.video_height : src.video_width, h = t ? src.video_width : src.video_height;
  return {w / std::max(1e-6, double(d.place.size[0]) * d.place.px_per_local[0]),
          h / std::max(1e-6, double(d.place.size[1]) * d.place.px_per_local[1])};
}
}  // namespace

struct ConvertPass::Upload {
  size_t draw = 0;
  int width = 0, height = 0, luma_stride = 0, chroma_stride = 0;
  int div = 1;  // yuv_to_rgba.comp's DIV: converted at 1/div of the source size
  bool alpha = false;
  bool direct = false;  // written straight into the image through its buffer alias (Image::alias)
  VkDeviceSize y = 0, cb = 0, cr = 0, a = 0;  // plane offsets in staging, bytes
  VkDeviceSize out = 0;                       // first pixel in the converted buffer (not direct)
  const Image* image = nullptr;               // the pooled RGBA8 texture it is copied or written into
  int out_w() const { return width / div; }
  int out_h() const { return height / div; }
};

ConvertPass::ConvertPass(const VkContext& ctx, int slots)
    : program_(ctx, shaders::yuv_to_rgba(),
               {{0, VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr},
                {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr}},
               sizeof(ConvertPush)),
      slots_(slots), cache_(slots), cpu_device_(ctx.props.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU) {}

void ConvertPass::record(Frame& f) {
  cache_.begin(f.slot_index, f.slot.serial());
  VkDeviceSize staging_bytes = 0, converted_px = 0;
  std::vector<Upload> videos = plan(f, staging_bytes, converted_px);
  if (videos.empty()) return;
  conversions_ += videos.size();
  PerSlot& s = slots_.next(f.slot, f.slot_index);
  if (s.staging.size < staging_bytes) s.planes = TexelView{};  // the view goes before its buffer
  ensure_buffer(f.ctx, s.staging, staging_bytes, VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT, true);
  if (s.planes.view.get() == VK_NULL_HANDLE)
    s.planes = make_texel_view(f.ctx, s.staging, VK_FORMAT_R32G32B32A32_UINT, 16);
  if (s.planes.bytes < staging_bytes)
    throw GpuError("the video layers of this frame need " + std::to_string(staging_bytes) + " bytes of staging, more than the " +
                   std::to_string(s.planes.bytes) + " that the Vulkan device can read as a texel buffer "
                   "(maxTexelBufferElements): use smaller or fewer video layers per frame");
  if (converted_px > 0)
    ensure_buffer(f.ctx, s.converted, converted_px * 4,
                  VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT, false);
  upload(f, s, videos);
  dispatch(f, s, videos);
  copy_to_images(f, s, videos);
}

std::vector<ConvertPass::Upload> ConvertPass::plan(Frame& f, VkDeviceSize& staging_bytes, VkDeviceSize& converted_px) {
  std::vector<Upload> videos;
  for (size_t n = 0; n < f.draws.size(); ++n) {
    const LayerDraw& d = f.draws[n];
    const LayerSource& src = f.sources.at(size_t(d.layer));
    if (src.kind != LayerKind::Video) continue;
    if (!d.video) throw Error("video layer " + std::to_string(d.layer) + " drawn without a frame");
    const AVFrame* fr = d.video;
    for (int k = 0; k < (src.video_alpha ? 4 : 3); ++k)
      if (!fr->data[k]) throw Error("video frame is missing plane " + std::to_string(k));
    if (fr->width < src.video_width || fr->height < src.video_height) throw Error("video frame size changed mid-stream");
    Upload v;
    v.draw = n;
    v.width = src.video_width;
    v.height = src.video_height;
    v.alpha = src.video_alpha;
    // Shown at half the size or less, the frame is converted at a half (quarter) of it,
    // box-filtered. The converted height must stay even (16x2 blocks).
    const auto k = shrink(d, src);
    const double shown = std::min(k[0], k[1]);
    v.div = shown >= 4 && v.width % 4 == 0 && v.height % 8 == 0 ? 4 : shown >= 2 && v.height % 4 == 0 ? 2 : 1;
    // Still shrunk after the conversion: mip levels down to the one the final pass samples.
    const double rest = std::max(k[0], k[1]) / v.div;
    const uint32_t levels = rest > 1.0 + 1e-3 ? std::min(full_mip_levels(v.out_w(), v.out_h()),
                                                        2u + uint32_t(std::floor(std::log2(rest))))
                                              : 1u;
    VkImageUsageFlags use = VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT;
    if (levels > 1) use |= VK_IMAGE_USAGE_TRANSFER_SRC_BIT;
    // CPU devices: one-level images are linear and written in place, which saves a copy of every
    // converted frame (lavapipe samples linear images as fast as any).
    const ImageKey kind{v.out_w(), v.out_h(), VK_FORMAT_R8G8B8A8_UNORM, levels, use, cpu_device_ && levels == 1};
    ConvertKey key;
    if (convert_key(src, *fr, v.div, levels, key)) {
      if (const Image* done = cache_.find(key, f.slot_index)) {  // converted for an earlier frame
        f.textures[n] = {done, !v.alpha, src.orientation};
        continue;
      }
      v.image = &cache_.insert(f.ctx, key, kind, f.slot_index);
    } else {
      v.image = &f.slot.images().acquire(f.ctx, kind);
    }
    v.luma_stride = align16(v.out_w()) * v.div;         // whole blocks of output pixels
    v.chroma_stride = align16(v.luma_stride / 2 + 1);  // + 1: the sample right of the last block
    const VkDeviceSize luma = VkDeviceSize(v.luma_stride) * v.height;
    const VkDeviceSize chroma = VkDeviceSize(v.chroma_stride) * v.height / 2;
    v.y = staging_bytes;
    v.cb = v.y + luma;
    v.cr = v.cb + chroma;
    v.a = v.cr + chroma;
    staging_bytes = v.a + (v.alpha ? luma : 0);
    v.direct = v.image->alias.get() != VK_NULL_HANDLE;
    v.out = converted_px;
    if (!v.direct) converted_px += VkDeviceSize(align16(v.out_w())) * v.out_h();
    f.textures[n] = {v.image, !v.alpha, src.orientation};
    videos.push_back(v);
  }
  return videos;
}

void ConvertPass::upload(Frame& f, PerSlot& s, const std::vector<Upload>& videos) {
  auto* staging = static_cast<uint8_t*>(s.staging.mapped);
  for (const Upload& v : videos) {
    const AVFrame* fr = f.draws[v.draw].video;  // checked by plan()
    copy_plane(staging + v.y, v.luma_stride, fr->data[0], fr->linesize[0], v.width, v.height);
    copy_plane(staging + v.cb, v.chroma_stride, fr->data[1], fr->linesize[1], v.width / 2, v.height / 2);
    copy_plane(staging + v.cr, v.chroma_stride, fr->data[2], fr->linesize[2], v.width / 2, v.height / 2);
    if (v.alpha) copy_plane(staging + v.a, v.luma_stride, fr->data[3], fr->linesize[3], v.width, v.height);
  }
}

void ConvertPass::dispatch(Frame& f, const PerSlot& s, const std::vector<Upload>& videos) {
  // Images written in place take the general layout (their old contents are replaced: no frame
  // in flight samples them).
  for (const Upload& v : videos)
    if (v.direct)
      image_barrier(f.cmd, v.image->image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_GENERAL, 0,
                    VK_ACCESS_SHADER_WRITE_BIT, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
  const VkBufferView planes = s.planes.view;
  for (const Upload& v : videos) {
    const VkDescriptorBufferInfo out{v.direct ? v.image->alias.get() : s.converted.buffer.get(), 0, VK_WHOLE_SIZE};
    VkDescriptorSet set = f.slot.allocate(program_.set_layout());
    const VkWriteDescriptorSet w[2] = {texel_buffer_write(set, 0, &planes),
                                       buffer_write(set, 1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, &out)};
    vkUpdateDescriptorSets(f.ctx.device, 2, w, 0, nullptr);
    const AVFrame* fr = f.draws[v.draw].video;
    ConvertPush pc{};
    const auto m = yuv_to_rgb_matrix(fr);
    for (int r = 0; r < 3; ++r) std::copy_n(m[r].begin(), 4, pc.m[r]);
    pc.size[0] = v.width, pc.size[1] = v.height, pc.size[2] = v.luma_stride, pc.size[3] = v.chroma_stride;
    pc.offsets[0] = int32_t(v.y), pc.offsets[1] = int32_t(v.cb), pc.offsets[2] = int32_t(v.cr);
    pc.offsets[3] = int32_t(v.a);
    pc.out[0] = v.direct ? 0 : int32_t(v.out);
    pc.out[1] = v.direct ? v.image->alias_row_pixels : align16(v.out_w());
    // pc.out[2] stays 0: the shader's fold of its texels is never stored.
    ConvertSpec spec;
    spec.alpha = v.alpha;
    spec.div = v.div;
    // Horizontal siting only (vertically the shader assumes centred, as for the MPEG-2 default).
    const AVChromaLocation loc = fr->chroma_location;
    spec.chroma_left = loc == AVCHROMA_LOC_LEFT || loc == AVCHROMA_LOC_TOPLEFT || loc == AVCHROMA_LOC_BOTTOMLEFT;
    vkCmdBindPipeline(f.cmd, VK_PIPELINE_BIND_POINT_COMPUTE, program_.pipeline(spec));
    vkCmdBindDescriptorSets(f.cmd, VK_PIPELINE_BIND_POINT_COMPUTE, program_.layout(), 0, 1, &set, 0, nullptr);
    vkCmdPushConstants(f.cmd, program_.layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof pc, &pc);
    vkCmdDispatch(f.cmd, uint32_t((align16(v.out_w()) / 16 + 7) / 8), uint32_t((v.out_h() / 2 + 7) / 8), 1);
  }
}

void ConvertPass::copy_to_images(Frame& f, const PerSlot& s, const std::vector<Upload>& videos) {
  VkCommandBuffer cb = f.cmd;
  // The copies read the output buffer; images written in place are read by later shaders (their
  // texels were written through the alias buffer, which an image barrier does not cover).
  const bool direct = std::any_of(videos.begin(), videos.end(), [](const Upload& v) { return v.direct; });
  memory_barrier(cb, VK_ACCESS_SHADER_WRITE_BIT, VK_ACCESS_TRANSFER_READ_BIT | (direct ? VK_ACCESS_SHADER_READ_BIT : 0),
                 VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                 VK_PIPELINE_STAGE_TRANSFER_BIT | (direct ? VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT : 0));
  for (const Upload& v : videos) {
    if (v.direct) {  // written through the alias: the texels are in place
      image_barrier(cb, v.image->image, VK_IMAGE_LAYOUT_GENERAL, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL,
                    VK_ACCESS_SHADER_WRITE_BIT, VK_ACCESS_SHADER_READ_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                    VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
      continue;
    }
    // Whatever the image held is replaced: the previous frame in this slot finished (fence).
    image_barrier(cb, v.image->image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 0,
                  VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT);
    VkBufferImageCopy r{};
    r.bufferOffset = v.out * 4;
    r.bufferRowLength = uint32_t(align16(v.out_w()));
    r.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
    r.imageExtent = {uint32_t(v.out_w()), uint32_t(v.out_h()), 1};
    vkCmdCopyBufferToImage(cb, s.converted.buffer, v.image->image,
                           VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &r);
    record_mipmaps(cb, *v.image);  // ends in SHADER_READ_ONLY_OPTIMAL, visible to compute
  }
}

}  // namespace reelforge
