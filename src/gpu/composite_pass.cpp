#include "gpu/composite_pass.h"

#include <algorithm>
#include <cmath>

#include "gpu/node_renderer.h"
#include "gpu/spec_constants.h"
#include "gpu/vk_check.h"
#include "gpu/vk_commands.h"

namespace reelforge {

namespace {
constexpr int kMaxStack = COMPOSITE_MAX_STACK;  // layers per dispatch (MAX_STACK in shaders/stack.glsl)

struct LayerParamsGpu {  // std140 mirror of LayerParams in shaders/stack.glsl
  float u[4], v[4], clip[4], color[4];
};
static_assert(sizeof(LayerParamsGpu) == 64);

struct LayerStyleGpu {  // std140 mirror of LayerStyle in shaders/stack.glsl
  float shape[4];   // local units per uv unit along uv.x, uv.y; corner radius; border width (local units)
  float border[4];  // premultiplied border colour x opacity
};
static_assert(sizeof(LayerStyleGpu) == 32);
constexpr VkDeviceSize kStyleOffset = sizeof(LayerParamsGpu) * kMaxStack;  // styles follow the layers
constexpr VkDeviceSize kBlockSize = kStyleOffset + sizeof(LayerStyleGpu) * kMaxStack;
constexpr int kStyled = 64;  // composite.comp: kind_blend flag of the rounded-corner/border path
constexpr int kCovering = 128;  // composite.comp: the bottom layer covers the tiles opaquely (TileGroup::covered)

struct TilePush {  // Push in shaders/stack.glsl
  float background[4];
  int32_t dims[4];
  int32_t tile[4];
};
static_assert(sizeof(TilePush) == 48);

// Level of detail as Vulkan defines it for a texture sampled with `L`'s map: log2 of the longer
// texel footprint of one canvas pixel (the map is affine, so one value holds for the whole layer).
// 0 where the texture is not shrunk, or has no mip levels to filter with.
float minification_lod(const LayerParamsGpu& L, const Image& img) {
  if (img.levels <= 1) return 0.0f;
  const double w = img.width, h = img.height;
  const double rx = std::hypot(L.u[0] * w, L.v[0] * h), ry = std::hypot(L.u[1] * w, L.v[1] * h);
  const double rho = std::max(rx, ry);
  return rho > 1.0 + 1e-4 ? float(std::log2(rho)) : 0.0f;
}

// Whether `L` maps every canvas pixel centre onto a texel centre of `img`, one texel per pixel
// along each axis (an unscaled, unrotated layer at a whole-pixel position): then bilinear
// filtering returns that texel, and composite.comp reads it with one fetch (kind 3). Checked in
// double precision to a thousandth of a texel, where filtering weights round to zero.
bool texel_aligned(const LayerParamsGpu& L, const Image& img) {
  const double w = img.width, h = img.height, eps = 1e-3;
  auto whole = [&](double v) { return std::abs(v - std::round(v)) < eps; };
  const double ux = double(L.u[0]) * w, uy = double(L.u[1]) * w, vx = double(L.v[0]) * h, vy = double(L.v[1]) * h;
  return std::abs(std::abs(ux) - 1.0) < 1e-6 && std::abs(uy) < 1e-6 && std::abs(vx) < 1e-6 &&
         std::abs(std::abs(vy) - 1.0) < 1e-6 && whole(double(L.u[2]) * w) && whole(double(L.v[2]) * h);
}

// Canvas point -> normalised texture coordinate: the layer-local map divided by the size, then
// the texture's orientation (display -> decoded picture), with the crop rectangle mapped alike.
// `kind`: composite.comp's layer kind: 0 solid, 1 texture (not minified), 2 minified texture,
// 3 texel-aligned texture.
LayerParamsGpu layer_params(const LayerDraw& d, const Texture& tex, int& kind) {
  const auto& pl = d.place;
  const float sx = pl.size[0], sy = pl.size[1];
  LayerParamsGpu L{{pl.inv[0] / sx, pl.inv[1] / sx, pl.inv[2] / sx, pl.px_per_local[0] * sx},
                   {pl.inv[3] / sy, pl.inv[4] / sy, pl.inv[5] / sy, pl.px_per_local[1] * sy},
                   {pl.clip[0] / sx, pl.clip[1] / sy, pl.clip[2] / sx, pl.clip[3] / sy},
                   {pl.opacity, pl.opacity, pl.opacity, pl.opacity}};
  const Orientation& o = tex.orientation;
  if (o.transposed) {
    std::swap(L.u, L.v);
    std::swap(L.clip[0], L.clip[1]);
    std::swap(L.clip[2], L.clip[3]);
  }
  auto flip = [](float* row, float& lo, float& hi) {  // coordinate c -> 1 - c
    row[0] = -row[0], row[1] = -row[1], row[2] = 1.0f - row[2];
    const float l = lo;
    lo = 1.0f - hi, hi = 1.0f - l;
  };
  if (o.flip_u) flip(L.u, L.clip[0], L.clip[2]);
  if (o.flip_v) flip(L.v, L.clip[1], L.clip[3]);
  if (!tex.image) {  // solid: premultiplied colour x opacity
    const float a = d.color[3] * pl.opacity;
    L.color[0] = d.color[0] * a, L.color[1] = d.color[1] * a, L.color[2] = d.color[2] * a, L.color[3] = a;
    kind = 0;
  } else if (const float lod = minification_lod(L, *tex.image); lod > 0.0f) {
    L.color[1] = lod;  // colour = opacity (x), LOD (y)
    kind = 2;
  } else {
    kind = texel_aligned(L, *tex.image) ? 3 : 1;
  }
  return L;
}

LayerStyleGpu layer_style(const LayerDraw& d, const Texture& tex) {
  const bool t = tex.orientation.transposed;
  const LayerStyle& st = d.style;
  const float a = std::clamp(st.border_color[3], 0.0f, 1.0f) * d.place.opacity;
  return {{d.place.size[t ? 1 : 0], d.place.size[t ? 0 : 1], st.corner_radius, st.border_width},
          {st.border_color[0] * a, st.border_color[1] * a, st.border_color[2] * a, a}};
}

}  // namespace

struct CompositePass::Dispatch {
  size_t group = 0;
  int first = 0, count = 0;  // layers [first, first + count) of the group's stack
  bool read_acc = false, write_acc = false;
  uint32_t tile_base = 0;
  VkDeviceSize params_offset = 0;
  VkDescriptorSet set = VK_NULL_HANDLE;
  VkPipeline pipeline = VK_NULL_HANDLE;
};

CompositePass::CompositePass(const VkContext& ctx, int width, int height, int row_pixels,
                             std::array<float, 4> background, int slots, const Image& dummy, bool rgba_readback)
    : ctx_(ctx), width_(width), height_(height), row_pixels_(row_pixels), background_(background), dummy_(dummy),
      rgba_readback_(rgba_readback),
      program_(ctx, shaders::composite(),
               {{0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr},
                {1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr},
                {2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr},
                {3, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr},
                {4, VK_DESCRIPTOR_TYPE_SAMPLER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr},
                {5, VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE, kMaxStack, VK_SHADER_STAGE_COMPUTE_BIT, nullptr},
                {6, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr}},
               sizeof(TilePush)),
      slots_(slots) {
  const VkDeviceSize align = std::max<VkDeviceSize>(1, ctx.props.limits.minUniformBufferOffsetAlignment);
  params_stride_ = align_up(kBlockSize, align);
  VkSamplerCreateInfo sci{VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO};
  sci.magFilter = sci.minFilter = VK_FILTER_LINEAR;  // bilinear scaling
  sci.mipmapMode = VK_SAMPLER_MIPMAP_MODE_LINEAR;    // trilinear between mip levels
  sci.maxLod = VK_LOD_CLAMP_NONE;
  sci.addressModeU = sci.addressModeV = sci.addressModeW = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE;
  VkSampler smp;
  RF_VK(vkCreateSampler(ctx.device, &sci, nullptr, &smp));
  sampler_ = Sampler(ctx.device, smp);
  dummy_buffer_ = make_buffer(ctx, 256, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, false);
}

void CompositePass::record(Frame& f) {
  CompositeTarget t;
  t.width = width_, t.height = height_, t.row_pixels = row_pixels_;
  const float ba = background_[3];
  t.background = {background_[0] * ba, background_[1] * ba, background_[2] * ba, ba};
  t.nv12 = f.slot.nv12_target().buffer;
  t.rgba = rgba_readback_ ? f.slot.rgba_target().buffer.get() : VK_NULL_HANDLE;
  t.want_nv12 = f.want_nv12;
  t.want_rgba = f.want_rgba;
  record(f, t);
}

void CompositePass::record(Frame& f, const CompositeTarget& t) {
  PerSlot& s = slots_.next(f.slot, f.slot_index);
  const std::vector<TileGroup> groups = group(f, t);
  std::vector<Dispatch> dispatches = plan(s, t, groups);
  write_params(f, s, t, groups, dispatches);
  write_descriptors(f, s, t, groups, dispatches);
  dispatch(f, t, groups, dispatches);
}

std::vector<TileGroup> CompositePass::group(const Frame& f, const CompositeTarget& t) const {
  std::vector<TileLayer> tile_layers(f.draws.size());
  for (size_t n = 0; n < f.draws.size(); ++n) {
    const LayerDraw& d = f.draws[n];
    const Texture& tex = f.textures[n];
    tile_layers[n].bounds = d.place.bounds;
    const bool opaque_source = tex.image ? tex.opaque : d.color[3] >= 1.0f;
    const auto& inv = d.place.inv;
    const bool axis_aligned = inv[1] == 0.0f && inv[3] == 0.0f;
    // Rounded corners are not opaque; a translucent border neither.
    const bool styled_opaque = d.style.corner_radius <= 0.0f && (d.style.border_width <= 0.0f || d.style.border_color[3] >= 1.0f);
    if (opaque_source && axis_aligned && styled_opaque && d.place.opacity >= 1.0f && d.blend == BlendMode::Normal)
      tile_layers[n].opaque = d.place.bounds;
  }
  return group_tiles(t.width, t.height, tile_layers);
}

std::vector<CompositePass::Dispatch> CompositePass::plan(PerSlot& s, const CompositeTarget& t,
                                                         const std::vector<TileGroup>& groups) {
  std::vector<Dispatch> out;
  size_t tile_count = 0;
  s.need_acc = false;
  for (size_t g = 0; g < groups.size(); ++g) {
    const int depth = int(groups[g].layers.size());
    for (int first = 0; first == 0 || first < depth; first += kMaxStack) {
      Dispatch p;
      p.group = g;
      p.first = first;
      p.count = std::min(kMaxStack, depth - first);
      p.read_acc = first > 0;
      p.write_acc = first + kMaxStack < depth;
      p.tile_base = uint32_t(tile_count);
      p.params_offset = params_stride_ * out.size();
      s.need_acc = s.need_acc || p.write_acc;
      out.push_back(p);
    }
    tile_count += groups[g].tiles.size();
  }
  ensure_buffer(ctx_, s.params, params_stride_ * out.size(), VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT, true);
  ensure_buffer(ctx_, s.tiles, tile_count * sizeof(uint32_t), VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, true);
  // The accumulator: the canvas, then the column left of each tile (16 uvec4 per tile entry).
  if (s.need_acc)
    ensure_buffer(ctx_, s.acc, VkDeviceSize(t.row_pixels) * t.height * 8 + tile_count * 16 * 16,
                  VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, false);
  auto* tiles = static_cast<uint32_t*>(s.tiles.mapped);
  for (size_t g = 0, at = 0; g < groups.size(); at += groups[g].tiles.size(), ++g)
    std::copy(groups[g].tiles.begin(), groups[g].tiles.end(), tiles + at);
  return out;
}

void CompositePass::write_params(Frame& f, PerSlot& s, const CompositeTarget& t, const std::vector<TileGroup>& groups,
                                 std::vector<Dispatch>& dispatches) {
  auto* params = static_cast<uint8_t*>(s.params.mapped);
  for (Dispatch& p : dispatches) {
    CompositeSpec spec;
    spec.layers = p.count;
    for (int k = 0; k < p.count; ++k) {
      const size_t n = size_t(groups[p.group].layers[size_t(p.first + k)]);
      const LayerDraw& d = f.draws[n];
      auto* L = reinterpret_cast<LayerParamsGpu*>(params + p.params_offset + size_t(k) * sizeof(LayerParamsGpu));
      int kind = 0;
      *L = layer_params(d, f.textures[n], kind);
      if (d.style.active()) {  // rounded corners / border: composite.comp's styled path
        auto* S = reinterpret_cast<LayerStyleGpu*>(params + p.params_offset + kStyleOffset + size_t(k) * sizeof(LayerStyleGpu));
        *S = layer_style(d, f.textures[n]);
        kind |= kStyled / 16;
      }
      spec.kind_blend[size_t(k)] = kind * 16 + int(d.blend);
      // Coverage 1 and nothing below shows through: the colour is the layer's own (the same
      // values; no edge coverage, no blend over the background).
      if (p.first == 0 && k == 0 && groups[p.group].covered && !d.style.active()) spec.kind_blend[0] |= kCovering;
    }
    spec.read_acc = p.read_acc;
    spec.write_acc = p.write_acc;
    spec.want_nv12 = t.want_nv12;
    spec.want_rgba = t.want_rgba;
    p.pipeline = program_.pipeline(spec);
  }
}

void CompositePass::write_descriptors(Frame& f, const PerSlot& s, const CompositeTarget& t,
                                      const std::vector<TileGroup>& groups, std::vector<Dispatch>& dispatches) {
  const VkBuffer none = dummy_buffer_.buffer;
  const VkDescriptorBufferInfo nv12{t.nv12 ? t.nv12 : none, 0, VK_WHOLE_SIZE};
  const VkDescriptorBufferInfo rgba{t.rgba ? t.rgba : none, 0, VK_WHOLE_SIZE};
  const VkDescriptorBufferInfo tiles{s.tiles.buffer, 0, VK_WHOLE_SIZE};
  const VkDescriptorBufferInfo block{s.params.buffer, 0, kBlockSize};
  const VkDescriptorBufferInfo acc{s.need_acc ? s.acc.buffer.get() : none, 0, VK_WHOLE_SIZE};
  const VkDescriptorImageInfo smp{sampler_, VK_NULL_HANDLE, VK_IMAGE_LAYOUT_UNDEFINED};
  for (Dispatch& p : dispatches) {
    p.set = f.slot.allocate(program_.set_layout());
    VkDescriptorImageInfo tex[kMaxStack];
    for (int k = 0; k < kMaxStack; ++k) {
      const Image* img = k < p.count ? f.textures[size_t(groups[p.group].layers[size_t(p.first + k)])].image : nullptr;
      tex[k] = {VK_NULL_HANDLE, img ? img->view.get() : dummy_.view.get(), VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL};
    }
    const VkWriteDescriptorSet w[7] = {buffer_write(p.set, 0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, &nv12),
                                       buffer_write(p.set, 1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, &rgba),
                                       buffer_write(p.set, 2, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, &tiles),
                                       buffer_write(p.set, 3, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC, &block),
                                       image_write(p.set, 4, VK_DESCRIPTOR_TYPE_SAMPLER, &smp),
                                       image_write(p.set, 5, VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE, tex, kMaxStack),
                                       buffer_write(p.set, 6, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, &acc)};
    vkUpdateDescriptorSets(ctx_.device, 7, w, 0, nullptr);
  }
}

void CompositePass::dispatch(Frame& f, const CompositeTarget& t, const std::vector<TileGroup>& groups,
                             const std::vector<Dispatch>& dispatches) {
  VkCommandBuffer cb = f.cmd;
  TilePush pc{};
  std::copy_n(t.background.begin(), 4, pc.background);
  pc.dims[0] = t.width, pc.dims[1] = t.height, pc.dims[2] = t.row_pixels, pc.dims[3] = t.row_pixels;
  pc.tile[1] = t.row_pixels;
  pc.tile[2] = int32_t(VkDeviceSize(t.row_pixels) * t.height / 2);  // the accumulator's tile-edge entries
  // pc.tile[3] stays 0: composite.comp's fold of its stored words is never stored.
  // Level by level: a stack's next dispatch reads the accumulator its previous one wrote.
  for (int level = 0;; ++level) {
    bool any = false;
    for (const Dispatch& p : dispatches) {
      if (p.first != level * kMaxStack) continue;
      if (!any && level > 0)
        memory_barrier(cb, VK_ACCESS_SHADER_WRITE_BIT, VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT,
                       VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
      any = true;
      pc.tile[0] = int32_t(p.tile_base);
      const uint32_t offset = uint32_t(p.params_offset);
      vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, p.pipeline);
      vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, program_.layout(), 0, 1, &p.set, 1, &offset);
      vkCmdPushConstants(cb, program_.layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof pc, &pc);
      vkCmdDispatch(cb, uint32_t(groups[p.group].tiles.size()), 1, 1);
    }
    if (!any) break;
  }
}

}  // namespace reelforge

namespace reelforge {

Affine texture_map(const LayerDraw& d, const Texture& tex) {
  int kind = 0;
  const LayerParamsGpu L = layer_params(d, tex, kind);
  return {L.u[0], L.u[1], L.u[2], L.v[0], L.v[1], L.v[2]};
}

}  // namespace reelforge
