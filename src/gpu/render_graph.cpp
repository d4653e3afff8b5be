#include "gpu/render_graph.h"

#include <algorithm>
#include <cmath>

#include "timeline/timeline.h"

namespace reelforge {

namespace {
// The pixels of a width x height canvas that `draws` can touch: their bounds grown by one pixel
// (antialiased edges), whole pixels, within the canvas: x0, y0, x1, y1.
std::array<int, 4> used_area(const std::vector<LayerDraw>& draws, int width, int height) {
  double lo[2] = {1e30, 1e30}, hi[2] = {-1e30, -1e30};
  for (const LayerDraw& d : draws) {
    const auto& b = d.place.bounds;
    if (!(b[2] > b[0] && b[3] > b[1])) continue;
    lo[0] = std::min(lo[0], double(b[0])), lo[1] = std::min(lo[1], double(b[1]));
    hi[0] = std::max(hi[0], double(b[2])), hi[1] = std::max(hi[1], double(b[3]));
  }
  if (hi[0] < lo[0]) return {0, 0, 0, 0};
  return {int(std::clamp(std::floor(lo[0]) - 1, 0.0, double(width))), int(std::clamp(std::floor(lo[1]) - 1, 0.0, double(height))),
          int(std::clamp(std::ceil(hi[0]) + 1, 0.0, double(width))), int(std::clamp(std::ceil(hi[1]) + 1, 0.0, double(height)))};
}

// A composition layer's placement narrowed to the part r (nested canvas pixels) of its nested
// canvas: layer-local coordinates restart at r's corner, so uv 0..1 spans r.
void crop_to(LayerPlacement& p, const std::array<int, 4>& r, int width, int height) {
  const float kx = p.size[0] / float(width), ky = p.size[1] / float(height);  // local units per nested pixel
  const float x0 = float(r[0]) * kx, y0 = float(r[1]) * ky;
  p.inv[2] -= x0, p.inv[5] -= y0;
  p.size = {float(r[2] - r[0]) * kx, float(r[3] - r[1]) * ky};
  p.clip = {std::max(p.clip[0] - x0, 0.0f), std::max(p.clip[1] - y0, 0.0f), std::min(p.clip[2] - x0, p.size[0]),
            std::min(p.clip[3] - y0, p.size[1])};
  if (p.clip[2] <= p.clip[0] || p.clip[3] <= p.clip[1]) {
    p.opacity = 0.0f, p.bounds = {0, 0, 0, 0};
    return;
  }
  p = retarget(p, {1, 0, 0, 0, 1, 0});  // bounds (and scale) of the narrowed rectangle
}

// A transition side that is one draw showing its texture texel for texel over the whole w x h
// canvas (a full-frame video or image: unscaled, uncropped, fully opaque placement, no style):
// that texture is what compositing it alone would give, so the transition reads it directly.
const Image* shown_as_is(const Frame& sub, int w, int h) {
  if (sub.draws.size() != 1) return nullptr;
  const LayerDraw& d = sub.draws[0];
  const Texture& t = sub.textures[0];
  if (!t.image || t.image->width != w || t.image->height != h || d.place.opacity < 1.0f || d.style.active())
    return nullptr;
  const auto& c = d.place.clip;
  if (c[0] > 0 || c[1] > 0 || c[2] < d.place.size[0] || c[3] < d.place.size[1]) return nullptr;
  const Affine m = texture_map(d, t);  // canvas point -> uv, as the final pass samples it
  const Affine want{1.0 / w, 0, 0, 0, 1.0 / h, 0};
  for (int i = 0; i < 6; ++i)
    if (std::abs(m[size_t(i)] - want[size_t(i)]) * (i < 3 ? w : h) > 1e-4) return nullptr;  // texels
  return t.image;
}
}  // namespace

RenderGraph::RenderGraph(const VkContext& ctx, int slots, StaticImages& images, ConvertPass& convert,
                         GeneratedPass& generated, CompositePass& composite)
    : images_(images), convert_(convert), generated_(generated), nodes_(ctx, composite, slots), effects_(ctx, slots), masks_(ctx, slots) {}

void RenderGraph::prepare(Frame& f) {
  f.nodes = &nodes_;
  for (size_t n = 0; n < f.draws.size(); ++n) {
    const LayerSource& src = f.sources.at(size_t(f.draws[n].layer));
    if (src.kind == LayerKind::Image) f.textures[n] = {&images_.image(f, n), images_.opaque(src), {}};
  }
  convert_.record(f);
  generated_.record(f);
  for (size_t n = 0; n < f.draws.size(); ++n)
    if (f.draws[n].node()) prepare_node(f, n);
}

Frame RenderGraph::sub_frame(Frame& f, std::vector<LayerDraw>&& draws, const std::vector<LayerSource>& sources) const {
  const size_t count = draws.size();
  return Frame{f.ctx, f.slot, f.slot_index, f.cmd, std::move(draws), sources, std::vector<Texture>(count), false, false,
               f.nodes};
}

void RenderGraph::prepare_node(Frame& f, size_t n) {
  if (f.draws[n].transition) return render_transition(f, n);
  if (f.draws[n].composition) render_composition(f, n);
  if (f.draws[n].place.opacity <= 0.0f) return;  // nested content that draws nothing
  effects_.apply(f, n, f.textures[n], f.draws[n].place);
  if (f.draws[n].masked) render_mask(f, n);
}

void RenderGraph::render_composition(Frame& f, size_t n) {
  LayerDraw& d = f.draws[n];
  const LayerSource& src = f.sources.at(size_t(d.layer));
  const Timeline& tl = *src.composition;
  Frame sub = sub_frame(f, std::move(d.children), src.children);
  prepare(sub);
  const float a = tl.background[3];
  const std::array<float, 4> bg{tl.background[0] * a, tl.background[1] * a, tl.background[2] * a, a};
  // Over transparency only the nested draws' area needs rendering (a group's few layers on a big
  // canvas): the image covers that part, and the layer shows just it. Not with a style, which
  // rounds or borders the whole nested canvas.
  std::array<int, 4> r{0, 0, tl.width, tl.height};
  if (a <= 0.0f && !d.style.active()) {
    r = used_area(sub.draws, tl.width, tl.height);
    if (r[2] <= r[0] || r[3] <= r[1]) {  // nothing drawn: nor is the layer
      d.place.opacity = 0.0f, d.place.bounds = {0, 0, 0, 0};
      return;
    }
    crop_to(d.place, r, tl.width, tl.height);
  }
  const int w = r[2] - r[0], h = r[3] - r[1];
  Image& img = nodes_.render(sub, w, h, {1, 0, double(r[0]), 0, 1, double(r[1])}, bg, levels_for(w, h, d.place));
  f.textures[n] = {&img, a >= 1.0f, {}};
}

void RenderGraph::render_mask(Frame& f, size_t n) {
  if (!f.textures[n].image) f.textures[n] = nodes_.materialise(f, n);  // a solid: a texture to mask
  LayerDraw& d = f.draws[n];
  const LayerSource& src = f.sources.at(size_t(d.layer));
  const Image& content = *f.textures[n].image;
  // Mask texel q sits on the canvas where the final pass samples content texel q.
  const Affine uv_to_canvas = invert(texture_map(d, f.textures[n]));
  const Affine m{uv_to_canvas[0] / content.width, uv_to_canvas[1] / content.height, uv_to_canvas[2],
                 uv_to_canvas[3] / content.width, uv_to_canvas[4] / content.height, uv_to_canvas[5]};
  Frame sub = sub_frame(f, std::move(d.mask), src.mask);
  prepare(sub);
  const Image& mask = nodes_.render(sub, content.width, content.height, m, {0, 0, 0, 0}, 1);
  // Feather in layer-local pixels -> texels (the mean of the two axes' texels per local unit).
  const bool t = f.textures[n].orientation.transposed;
  const double per_local = 0.5 * (content.width / std::max(1e-6, double(d.place.size[t ? 1 : 0])) +
                                  content.height / std::max(1e-6, double(d.place.size[t ? 0 : 1])));
  masks_.apply(f, n, mask, src, double(d.mask_feather) * per_local);
}

void RenderGraph::render_transition(Frame& f, size_t n) {
  LayerDraw& d = f.draws[n];
  const Transition& t = *f.sources.at(size_t(d.layer)).transition;
  const int w = int(d.place.size[0]), h = int(d.place.size[1]);  // the canvas (frame_feeder_nodes.cpp)
  // Each side with its own transforms, effects and mask, over transparency, in canvas pixels.
  auto side = [&](std::vector<LayerDraw>&& draws) -> const Image& {
    Frame sub = sub_frame(f, std::move(draws), f.sources);
    prepare(sub);
    if (const Image* img = shown_as_is(sub, w, h)) return *img;
    return nodes_.render(sub, w, h, {1, 0, 0, 0, 1, 0}, {0, 0, 0, 0}, 1);
  };
  const Image& from = side(std::move(d.from));
  const Image& to = side(std::move(d.to));
  f.textures[n] = {&effects_.transition(f, from, to, t, d.progress), false, {}};
}

}  // namespace reelforge
