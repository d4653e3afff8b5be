#include "gpu/effects/effect_chain.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "gpu/node_renderer.h"
#include "gpu/vk_check.h"
#include "gpu/vk_commands.h"

namespace reelforge {

namespace {
struct NoSpec { int32_t unused = 0; };  // the built-in effect shaders have no specialisation constants
struct EffectPush {                     // Push in shaders/effect_common.glsl
  float map_u[4], map_v[4];
  int32_t size[4];
};
static_assert(sizeof(EffectPush) == 48);
constexpr VkDeviceSize kArenaChunk = 64 * 1024;
constexpr int kMaxSide = 16384;

std::vector<VkDescriptorSetLayoutBinding> effect_bindings() {
  const auto c = VK_SHADER_STAGE_COMPUTE_BIT;
  return {{0, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 1, c, nullptr},
          {1, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, 1, c, nullptr},
          {2, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, 1, c, nullptr},
          {3, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 1, c, nullptr},
          {4, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, c, nullptr}};
}

// Display-normalised coordinates -> the texture's own (composite_pass.cpp's layer_params order:
// transpose, then flips).
Affine2 orientation_map(const Orientation& o) {
  Affine2 a = o.transposed ? Affine2{{0, 1, 0, 1, 0, 0}} : Affine2{};
  if (o.flip_u) a = Affine2{{-1, 0, 1, 0, 1, 0}} * a;
  if (o.flip_v) a = Affine2{{1, 0, 0, 0, -1, 1}} * a;
  return a;
}

// `place` extended to the local rectangle `r` (x0, y0, x1, y1; it contains the old extent): the
// new local origin is r's corner, uncropped sides follow the growth, bounds recomputed.
void grow_placement(LayerPlacement& p, const std::array<double, 4>& r) {
  const double w = p.size[0], h = p.size[1];
  auto& c = p.clip;
  const std::array<double, 4> clip{c[0] <= 0 ? r[0] : c[0], c[1] <= 0 ? r[1] : c[1], c[2] >= w ? r[2] : c[2],
                                   c[3] >= h ? r[3] : c[3]};
  p.inv[2] -= float(r[0]);
  p.inv[5] -= float(r[1]);
  p.size = {float(r[2] - r[0]), float(r[3] - r[1])};
  p.clip = {float(clip[0] - r[0]), float(clip[1] - r[1]), float(clip[2] - r[0]), float(clip[3] - r[1])};
  // Canvas bounds of the clip rectangle: the forward map is the inverse of `inv`.
  const auto& m = p.inv;
  const double det = double(m[0]) * m[4] - double(m[1]) * m[3];
  if (std::abs(det) < 1e-20) return;
  double lo[2] = {1e30, 1e30}, hi[2] = {-1e30, -1e30};
  for (const double u : {double(p.clip[0]), double(p.clip[2])})
    for (const double v : {double(p.clip[1]), double(p.clip[3])}) {
      const double a = u - m[2], b = v - m[5];
      const double x = (m[4] * a - m[1] * b) / det, y = (-m[3] * a + m[0] * b) / det;
      lo[0] = std::min(lo[0], x), lo[1] = std::min(lo[1], y), hi[0] = std::max(hi[0], x), hi[1] = std::max(hi[1], y);
    }
  p.bounds = {float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])};
}
}  // namespace

Affine2 Affine2::operator*(const Affine2& b) const {
  const auto& a = m;
  const auto& c = b.m;
  return {{a[0] * c[0] + a[1] * c[3], a[0] * c[1] + a[1] * c[4], a[0] * c[2] + a[1] * c[5] + a[2],
           a[3] * c[0] + a[4] * c[3], a[3] * c[1] + a[4] * c[4], a[3] * c[2] + a[4] * c[5] + a[5]}};
}

EffectChain::EffectChain(const VkContext& ctx, int slots)
    : ctx_(ctx),
      blur_(ctx, shaders::effect_blur(), effect_bindings(), sizeof(EffectPush)),
      shadow_(ctx, shaders::effect_shadow(), effect_bindings(), sizeof(EffectPush)),
      color_(ctx, shaders::effect_color(), effect_bindings(), sizeof(EffectPush)),
      lut_(ctx, shaders::effect_lut(), effect_bindings(), sizeof(EffectPush)),
      key_(ctx, shaders::effect_key(), effect_bindings(), sizeof(EffectPush)),
      arenas_(size_t(slots)) {
  VkSamplerCreateInfo sci{VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO};
  sci.magFilter = sci.minFilter = VK_FILTER_LINEAR;
  sci.mipmapMode = VK_SAMPLER_MIPMAP_MODE_LINEAR;
  sci.maxLod = VK_LOD_CLAMP_NONE;
  sci.addressModeU = sci.addressModeV = sci.addressModeW = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_BORDER;
  sci.borderColor = VK_BORDER_COLOR_FLOAT_TRANSPARENT_BLACK;  // a layer is transparent outside
  VkSampler smp;
  RF_VK(vkCreateSampler(ctx.device, &sci, nullptr, &smp));
  sampler_ = Sampler(ctx.device, smp);
  sci.addressModeU = sci.addressModeV = sci.addressModeW = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE;
  RF_VK(vkCreateSampler(ctx.device, &sci, nullptr, &smp));
  edge_sampler_ = Sampler(ctx.device, smp);
  dummy_table_ = make_buffer(ctx, 256, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, false);
}

EffectChain::~EffectChain() = default;

void EffectChain::apply(Frame& f, size_t n, Texture& tex, LayerPlacement& place) {
  const std::vector<Effect>& effects = f.sources.at(size_t(f.draws.at(n).layer)).effects;
  if (effects.empty() || place.opacity <= 0.0f) return;
  if (f.draws[n].style.active()) materialise_style(f, n, tex, place);
  const LayerDraw& d = f.draws[n];
  EffectSource cur = start(f, d, tex, place);
  const float sx = float(cur.width / double(place.size[0])), sy = float(cur.height / double(place.size[1]));
  bool opaque = tex.image ? tex.opaque : d.color[3] >= 1.0f;
  std::array<double, 4> rect{0, 0, place.size[0], place.size[1]};  // local extent of `cur`
  for (const Effect& e : effects) {
    Growth g;
    cur = run(f, e, d, place, cur, sx, sy, g, opaque);
    rect[0] -= g.left / double(sx), rect[1] -= g.top / double(sy);
    rect[2] += g.right / double(sx), rect[3] += g.bottom / double(sy);
  }
  tex = {cur.image, opaque, {}};
  grow_placement(place, rect);
}

void EffectChain::materialise_style(Frame& f, size_t n, Texture& tex, LayerPlacement& place) {
  LayerDraw& d = f.draws[n];
  const int w = std::clamp(int(std::ceil(double(place.size[0]) * place.px_per_local[0] - 1e-3)), 1, kMaxSide);
  const int h = std::clamp(int(std::ceil(double(place.size[1]) * place.px_per_local[1] - 1e-3)), 1, kMaxSide);
  LayerDraw alone = d;
  alone.children.clear(), alone.mask.clear();
  alone.composition = alone.masked = alone.effects = false;
  alone.blend = BlendMode::Normal;
  alone.place.opacity = 1.0f;
  // Target pixel q -> layer-local (q.x size_x / w, q.y size_y / h) -> canvas.
  const Affine local_to_canvas = invert({place.inv[0], place.inv[1], place.inv[2], place.inv[3], place.inv[4], place.inv[5]});
  const double kx = place.size[0] / double(w), ky = place.size[1] / double(h);
  const Affine m{local_to_canvas[0] * kx, local_to_canvas[1] * ky, local_to_canvas[2],
                 local_to_canvas[3] * kx, local_to_canvas[4] * ky, local_to_canvas[5]};
  Frame sub{f.ctx, f.slot, f.slot_index, f.cmd, {alone}, f.sources, {tex}, false, false, f.nodes};
  Image& img = f.nodes->render(sub, w, h, m, {0, 0, 0, 0}, 1);
  tex = {&img, false, {}};
  d.style = {};
  place.clip = {0, 0, place.size[0], place.size[1]};  // the crop is in the picture now
}

EffectSource EffectChain::start(Frame& f, const LayerDraw& d, const Texture& tex, const LayerPlacement& place) {
  // At the displayed size, never above the texture's: effects cost what is seen.
  const double shown_w = double(place.size[0]) * place.px_per_local[0];
  const double shown_h = double(place.size[1]) * place.px_per_local[1];
  auto side = [](double shown, int limit) { return std::clamp(int(std::ceil(shown - 1e-3)), 1, limit); };
  EffectSource s;
  if (!tex.image) {  // a solid: its colour, premultiplied, over the displayed size (in steps of 16)
    auto step16 = [](double v) { return std::ceil(v / 16.0 - 1e-6) * 16.0; };
    s.width = side(step16(shown_w), 8192), s.height = side(step16(shown_h), 8192);
    Image& img = target(f, s.width, s.height);
    const float a = d.color[3];
    const VkClearColorValue c{{d.color[0] * a, d.color[1] * a, d.color[2] * a, a}};
    const VkImageSubresourceRange all{VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
    vkCmdClearColorImage(f.cmd, img.image, VK_IMAGE_LAYOUT_GENERAL, &c, 1, &all);
    image_barrier(f.cmd, img.image, VK_IMAGE_LAYOUT_GENERAL, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL,
                  VK_ACCESS_TRANSFER_WRITE_BIT, VK_ACCESS_SHADER_READ_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
                  VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
    s.image = &img;
    s.to_uv = Affine2::scale(1.0f / float(s.width), 1.0f / float(s.height));
    return s;
  }
  const Image& im = *tex.image;
  const bool t = tex.orientation.transposed;
  const int dw = t ? im.height : im.width, dh = t ? im.width : im.height;
  s.image = &im;
  // Shrunk in quarter octaves of the texture's size (at least the shown size): an animated scale
  // reuses a few sizes of pooled images rather than a new one every frame.
  auto work = [&](int full, double shown) {
    const int steps = int(std::floor(4.0 * std::log2(std::max(1.0, full / std::max(shown, 1.0)))));
    return std::min(full, std::max(side(shown, kMaxSide), int(std::ceil(full / std::exp2(steps / 4.0) - 1e-6))));
  };
  s.width = work(dw, shown_w), s.height = work(dh, shown_h);
  const double shrink = std::max(double(dw) / s.width, double(dh) / s.height);
  s.lod = im.levels > 1 && shrink > 1.0 + 1e-3 ? float(std::min(std::log2(shrink), double(im.levels - 1))) : 0.0f;
  s.to_uv = orientation_map(tex.orientation) * Affine2::scale(1.0f / float(s.width), 1.0f / float(s.height));
  if (s.lod == 0.0f) return s;
  // Minified: first resampled to the chain's resolution from the mip chain with edges repeated
  // (texel centres lie inside, so nothing outside leaks in), then read like any chain image.
  Image& out = target(f, s.width, s.height);
  dispatch(f, blur_, out, s, Affine2{}, EffectParams{}, nullptr, VK_NULL_HANDLE, true);
  return {&out, Affine2::scale(1.0f / float(s.width), 1.0f / float(s.height)), 0.0f, s.width, s.height};
}

EffectSource EffectChain::run(Frame& f, const Effect& e, const LayerDraw& d, const LayerPlacement& place,
                              const EffectSource& in, float sx, float sy, Growth& g, bool& opaque) {
  using namespace effect_param;
  const int64_t k = d.local_frame;
  auto premul = [](std::array<float, 4> c, float alpha) {
    const float a = std::clamp(c[3] * alpha, 0.0f, 1.0f);
    return std::array<float, 4>{c[0] * a, c[1] * a, c[2] * a, a};
  };
  switch (e.kind) {
    case EffectKind::Blur: {
      const float r = std::max(0.0f, e.at(kBlurRadius, k));
      if (r * std::max(sx, sy) < 0.05f) return in;
      const bool extend = e.at(kBlurExtend, k) != 0.0f;
      opaque = opaque && extend;
      return blur(f, in, r * sx, r * sy, g, extend);
    }
    case EffectKind::DropShadow: {
      const float r = std::max(0.0f, e.at(kShadowBlur, k));
      opaque = false;
      return shadow(f, in, e.at(kShadowDx, k) * sx, e.at(kShadowDy, k) * sy, r * sx, r * sy, 1.0f,
                    premul(e.color, std::clamp(e.at(kShadowOpacity, k), 0.0f, 1.0f)), g);
    }
    case EffectKind::Glow: {
      const float r = std::max(0.0f, e.at(kGlowRadius, k));
      opaque = false;
      return shadow(f, in, 0, 0, r * sx, r * sy, std::max(0.0f, e.at(kGlowStrength, k)), premul(e.color, 1.0f), g);
    }
    case EffectKind::Color: return color(f, in, e, k);
    case EffectKind::Lut: return lut(f, in, e, k);
    case EffectKind::ChromaKey: opaque = false; return key(f, in, e, k);
    case EffectKind::Shader: opaque = false; return custom(f, in, e, k, place);
  }
  return in;
}

Image& EffectChain::target(Frame& f, int width, int height) {
  const VkImageUsageFlags use =
      VK_IMAGE_USAGE_STORAGE_BIT | VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT;
  Image& img = f.slot.images().acquire(f.ctx, {width, height, VK_FORMAT_R16G16B16A16_SFLOAT, 1, use});
  image_barrier(f.cmd, img.image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_GENERAL, 0,
                VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT,
                VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT);
  return img;
}

VkDescriptorBufferInfo EffectChain::upload(const Frame& f, const EffectParams& params) {
  Arena& a = arenas_.at(f.slot_index);
  if (a.serial != f.slot.serial()) a.serial = f.slot.serial(), a.chunk = 0, a.used = 0;  // the slot's last frame is done
  const VkDeviceSize stride =
      align_up(sizeof(EffectParams), std::max<VkDeviceSize>(1, ctx_.props.limits.minUniformBufferOffsetAlignment));
  if (a.used + stride > kArenaChunk) ++a.chunk, a.used = 0;
  if (a.chunk == a.chunks.size()) a.chunks.push_back(make_buffer(ctx_, kArenaChunk, VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT, true));
  const Buffer& b = a.chunks[a.chunk];
  std::memcpy(static_cast<uint8_t*>(b.mapped) + a.used, params.data(), sizeof(EffectParams));
  const VkDescriptorBufferInfo info{b.buffer, a.used, sizeof(EffectParams)};
  a.used += stride;
  return info;
}

void EffectChain::dispatch(Frame& f, ComputeProgram& prog, const Image& out, const EffectSource& in,
                           const Affine2& out_to_in, const EffectParams& params, const Image* src2, VkBuffer table,
                           bool clamp_to_edge) {
  const Affine2 map = in.to_uv * out_to_in;
  VkDescriptorSet set = f.slot.allocate(prog.set_layout());
  const VkDescriptorImageInfo i0{clamp_to_edge ? edge_sampler_ : sampler_, in.image->view,
                                 VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL};
  const VkDescriptorImageInfo i1{VK_NULL_HANDLE, out.view, VK_IMAGE_LAYOUT_GENERAL};
  // Unused second input: the first again (any readable image fills the binding).
  const VkDescriptorImageInfo i3{sampler_, (src2 ? src2 : in.image)->view, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL};
  const VkDescriptorBufferInfo b2 = upload(f, params);
  const VkDescriptorBufferInfo b4{table ? table : dummy_table_.buffer.get(), 0, VK_WHOLE_SIZE};
  const VkWriteDescriptorSet w[5] = {image_write(set, 0, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, &i0),
                                     image_write(set, 1, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, &i1),
                                     buffer_write(set, 2, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, &b2),
                                     image_write(set, 3, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, &i3),
                                     buffer_write(set, 4, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, &b4)};
  vkUpdateDescriptorSets(ctx_.device, 5, w, 0, nullptr);
  const auto& m = map.m;
  const EffectPush pc{{m[0], m[1], m[2], in.lod}, {m[3], m[4], m[5], 0}, {out.width, out.height, 0, 0}};
  vkCmdBindPipeline(f.cmd, VK_PIPELINE_BIND_POINT_COMPUTE, prog.pipeline(NoSpec{}));
  vkCmdBindDescriptorSets(f.cmd, VK_PIPELINE_BIND_POINT_COMPUTE, prog.layout(), 0, 1, &set, 0, nullptr);
  vkCmdPushConstants(f.cmd, prog.layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof pc, &pc);
  vkCmdDispatch(f.cmd, uint32_t((out.width + 15) / 16), uint32_t((out.height + 15) / 16), 1);
  image_barrier(f.cmd, out.image, VK_IMAGE_LAYOUT_GENERAL, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL,
                VK_ACCESS_SHADER_WRITE_BIT, VK_ACCESS_SHADER_READ_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
}

VkBuffer EffectChain::lut_table(const std::shared_ptr<const CubeLut>& lut) {
  auto it = luts_.find(lut.get());
  if (it == luts_.end()) {
    const VkDeviceSize bytes = lut->table.size() * sizeof(float);
    Buffer b = make_buffer(ctx_, bytes, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, true);
    std::memcpy(b.mapped, lut->table.data(), bytes);
    it = luts_.emplace(lut.get(), LutTable{lut, std::move(b)}).first;
  }
  return it->second.buffer.buffer;
}

ComputeProgram& EffectChain::shader_program(const std::shared_ptr<const CompiledShader>& shader) {
  std::string key = "effect";
  key += '\0' + shader->source;
  for (const auto& u : shader->uniforms) key += '\0' + u;
  return program_for(std::move(key), shader, shader->spirv);
}

ComputeProgram& EffectChain::program_for(std::string key, std::shared_ptr<const void> owner,
                                         const std::vector<uint32_t>& spirv) {
  auto it = custom_.find(key);
  if (it == custom_.end()) {
    auto prog = std::make_unique<ComputeProgram>(
        ctx_, shaders::Spirv{spirv.data(), spirv.size() * sizeof(uint32_t)}, effect_bindings(), sizeof(EffectPush));
    it = custom_.emplace(std::move(key), Custom{std::move(owner), std::move(prog)}).first;
  }
  return *it->second.program;
}

}  // namespace reelforge
