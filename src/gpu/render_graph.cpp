#include "gpu/render_graph.h"

#include <algorithm>
#include <cmath>

#include "timeline/timeline.h"

namespace reelforge {

RenderGraph::RenderGraph(const VkContext& ctx, int slots, const StaticImages& images, ConvertPass& convert,
                         CompositePass& composite)
    : images_(images), convert_(convert), nodes_(ctx, composite, slots), effects_(ctx, slots), masks_(ctx, slots) {}

void RenderGraph::prepare(Frame& f) {
  f.nodes = &nodes_;
  for (size_t n = 0; n < f.draws.size(); ++n) {
    const LayerSource& src = f.sources.at(size_t(f.draws[n].layer));
    if (src.kind == LayerKind::Image) f.textures[n] = {&images_.image(src), images_.opaque(src), {}};
  }
  convert_.record(f);
  for (size_t n = 0; n < f.draws.size(); ++n)
    if (f.draws[n].node()) prepare_node(f, n);
}

Frame RenderGraph::sub_frame(Frame& f, std::vector<LayerDraw>&& draws, const std::vector<LayerSource>& sources) const {
  const size_t count = draws.size();
  return Frame{f.ctx, f.slot, f.slot_index, f.cmd, std::move(draws), sources, std::vector<Texture>(count), false, false,
               f.nodes};
}

void RenderGraph::prepare_node(Frame& f, size_t n) {
  if (f.draws[n].composition) render_composition(f, n);
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
  Image& img = nodes_.render(sub, tl.width, tl.height, {1, 0, 0, 0, 1, 0}, bg, levels_for(tl.width, tl.height, d.place));
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

}  // namespace reelforge
