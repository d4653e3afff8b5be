#include "gpu/node_renderer.h"

#include <algorithm>
#include <cmath>

#include "gpu/vk_commands.h"
#include "util/errors.h"

namespace reelforge {

Affine invert(const Affine& m) {
  const double det = m[0] * m[4] - m[1] * m[3];
  if (std::abs(det) < 1e-300) return {};
  const double a = m[4] / det, b = -m[1] / det, c = -m[3] / det, d = m[0] / det;
  return {a, b, -(a * m[2] + b * m[5]), c, d, -(c * m[2] + d * m[5])};
}

namespace {
Affine compose(const Affine& f, const Affine& g) {  // f after g
  return {f[0] * g[0] + f[1] * g[3], f[0] * g[1] + f[1] * g[4], f[0] * g[2] + f[1] * g[5] + f[2],
          f[3] * g[0] + f[4] * g[3], f[3] * g[1] + f[4] * g[4], f[3] * g[2] + f[4] * g[5] + f[5]};
}
}  // namespace

LayerPlacement retarget(const LayerPlacement& p, const Affine& m) {
  LayerPlacement out = p;
  const Affine inv{p.inv[0], p.inv[1], p.inv[2], p.inv[3], p.inv[4], p.inv[5]};
  const Affine to_local = compose(inv, m);  // target -> local
  for (int k = 0; k < 6; ++k) out.inv[size_t(k)] = float(to_local[size_t(k)]);
  const Affine from_local = invert(to_local);
  out.px_per_local = {float(std::hypot(from_local[0], from_local[3])), float(std::hypot(from_local[1], from_local[4]))};
  double lo[2] = {1e30, 1e30}, hi[2] = {-1e30, -1e30};
  for (const auto& c : {std::array{p.clip[0], p.clip[1]}, std::array{p.clip[2], p.clip[1]},
                        std::array{p.clip[0], p.clip[3]}, std::array{p.clip[2], p.clip[3]}}) {
    const double x = from_local[0] * c[0] + from_local[1] * c[1] + from_local[2];
    const double y = from_local[3] * c[0] + from_local[4] * c[1] + from_local[5];
    lo[0] = std::min(lo[0], x), lo[1] = std::min(lo[1], y), hi[0] = std::max(hi[0], x), hi[1] = std::max(hi[1], y);
  }
  out.bounds = {float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])};
  if (p.opacity <= 0.0f) out.bounds = {0, 0, 0, 0};
  return out;
}

uint32_t levels_for(int width, int height, const LayerPlacement& place) {
  const double kx = width / std::max(1e-6, double(place.size[0]) * place.px_per_local[0]);
  const double ky = height / std::max(1e-6, double(place.size[1]) * place.px_per_local[1]);
  const double rest = std::max(kx, ky);
  return rest > 1.0 + 1e-3 ? std::min(full_mip_levels(width, height), 2u + uint32_t(std::floor(std::log2(rest)))) : 1u;
}

NodeRenderer::NodeRenderer(const VkContext& ctx, CompositePass& composite, int slots)
    : ctx_(ctx), composite_(composite), targets_(slots) {}

Image& NodeRenderer::render(Frame& sub, int width, int height, const Affine& target_to_canvas,
                            std::array<float, 4> background, uint32_t levels) {
  if (width <= 0 || height <= 0 || width > 16384 || height > 16384)
    throw Error("intermediate image of " + std::to_string(width) + "x" + std::to_string(height) + " pixels");
  for (LayerDraw& d : sub.draws) d.place = retarget(d.place, target_to_canvas);
  CompositeTarget t;
  t.width = width, t.height = height, t.row_pixels = align16(width);
  t.background = background;
  Target& tg = targets_.next(sub.slot, sub.slot_index);
  // Whole rows of 16x2 blocks: one spare row for an odd height.
  ensure_buffer(ctx_, tg.rgba, VkDeviceSize(t.row_pixels) * VkDeviceSize(height + 1) * 4,
                VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT, false);
  t.rgba = tg.rgba.buffer;
  t.want_rgba = true;
  composite_.record(sub, t);
  VkImageUsageFlags use = VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT;
  Image& img = sub.slot.images().acquire(ctx_, {width, height, VK_FORMAT_R8G8B8A8_UNORM, levels, use});
  VkCommandBuffer cb = sub.cmd;
  memory_barrier(cb, VK_ACCESS_SHADER_WRITE_BIT, VK_ACCESS_TRANSFER_READ_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                 VK_PIPELINE_STAGE_TRANSFER_BIT);
  image_barrier(cb, img.image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 0,
                VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT);
  VkBufferImageCopy r{};
  r.bufferRowLength = uint32_t(t.row_pixels);
  r.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
  r.imageExtent = {uint32_t(width), uint32_t(height), 1};
  vkCmdCopyBufferToImage(cb, tg.rgba.buffer, img.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &r);
  record_mipmaps(cb, img);  // ends in SHADER_READ_ONLY_OPTIMAL, visible to compute
  // The buffer is written again by a later render of this slot's frame only through another set.
  return img;
}

Texture NodeRenderer::materialise(Frame& f, size_t n) {
  const LayerDraw& d = f.draws[n];
  const LayerPlacement& p = d.place;
  const int w = std::clamp(int(std::ceil(double(p.size[0]) * p.px_per_local[0] - 1e-3)), 1, 8192);
  const int h = std::clamp(int(std::ceil(double(p.size[1]) * p.px_per_local[1] - 1e-3)), 1, 8192);
  LayerDraw alone = d;
  alone.children.clear(), alone.mask.clear();
  alone.composition = alone.masked = false;
  alone.style = {};
  alone.blend = BlendMode::Normal;
  alone.place.opacity = 1.0f;
  alone.place.clip = {0, 0, p.size[0], p.size[1]};
  // Target pixel q -> local (q.x size_x / w, q.y size_y / h) -> canvas.
  const Affine local_to_canvas = invert({p.inv[0], p.inv[1], p.inv[2], p.inv[3], p.inv[4], p.inv[5]});
  const Affine m = compose(local_to_canvas, {double(p.size[0]) / w, 0, 0, 0, double(p.size[1]) / h, 0});
  Frame sub{f.ctx, f.slot, f.slot_index, f.cmd, {alone}, f.sources, {f.textures[n]}, false, false, f.nodes};
  Image& img = render(sub, w, h, m, {0, 0, 0, 0}, 1);
  return {&img, false, {}};
}

}  // namespace reelforge
