// The passes of each effect kind (EffectChain's private members; the chain itself is in
// effect_chain.cpp). Formulas and the specs they follow are in the shaders' comments.
#include <algorithm>
#include <cmath>

#include "gpu/effects/effect_chain.h"

namespace reelforge {

namespace {
constexpr float kReach = 3.0f;  // a blur reaches 3 standard deviations (99.7 % of its weight)

// Gaussian pass parameters: one tap = `step` in input uv, `sigma` in taps, taps each side.
EffectParams blur_params(float step_u, float step_v, float sigma) {
  EffectParams p{};
  p[0] = step_u, p[1] = step_v, p[2] = sigma, p[3] = sigma > 0 ? std::ceil(kReach * sigma) : 0.0f;
  return p;
}

void put_row(EffectParams& p, int vec, const std::array<float, 4>& row) { std::copy(row.begin(), row.end(), p.begin() + 4 * vec); }
void put_matrix(EffectParams& p, int vec, const std::array<std::array<float, 4>, 3>& m) {
  for (int r = 0; r < 3; ++r) put_row(p, vec + r, m[size_t(r)]);
}
using Matrix = std::array<std::array<float, 4>, 3>;  // 3x4: rows act on (r, g, b, 1)

// W3C Filter Effects Module Level 1: feColorMatrix saturate / hueRotate, and the filter
// functions grayscale(), sepia(), invert() (section 13.2).
Matrix saturate(float s) {
  return {{{0.213f + 0.787f * s, 0.715f - 0.715f * s, 0.072f - 0.072f * s, 0},
           {0.213f - 0.213f * s, 0.715f + 0.285f * s, 0.072f - 0.072f * s, 0},
           {0.213f - 0.213f * s, 0.715f - 0.715f * s, 0.072f + 0.928f * s, 0}}};
}
Matrix hue_rotate(float degrees) {
  const double a = degrees * M_PI / 180.0;
  const float c = float(std::cos(a)), s = float(std::sin(a));
  return {{{0.213f + c * 0.787f - s * 0.213f, 0.715f - c * 0.715f - s * 0.715f, 0.072f - c * 0.072f + s * 0.928f, 0},
           {0.213f - c * 0.213f + s * 0.143f, 0.715f + c * 0.285f + s * 0.140f, 0.072f - c * 0.072f - s * 0.283f, 0},
           {0.213f - c * 0.213f - s * 0.787f, 0.715f - c * 0.715f + s * 0.715f, 0.072f + c * 0.928f + s * 0.072f, 0}}};
}
Matrix grayscale(float amount) {
  const float s = 1.0f - amount;
  return {{{0.2126f + 0.7874f * s, 0.7152f - 0.7152f * s, 0.0722f - 0.0722f * s, 0},
           {0.2126f - 0.2126f * s, 0.7152f + 0.2848f * s, 0.0722f - 0.0722f * s, 0},
           {0.2126f - 0.2126f * s, 0.7152f - 0.7152f * s, 0.0722f + 0.9278f * s, 0}}};
}
Matrix sepia(float amount) {
  const float s = 1.0f - amount;
  return {{{0.393f + 0.607f * s, 0.769f - 0.769f * s, 0.189f - 0.189f * s, 0},
           {0.349f - 0.349f * s, 0.686f + 0.314f * s, 0.168f - 0.168f * s, 0},
           {0.272f - 0.272f * s, 0.534f - 0.534f * s, 0.131f + 0.869f * s, 0}}};
}
Matrix invert(float amount) {  // feFuncX type="table" tableValues="amount (1 - amount)"
  const float k = 1.0f - 2.0f * amount;
  return {{{k, 0, 0, amount}, {0, k, 0, amount}, {0, 0, k, amount}}};
}
float clamp01(float v) { return std::clamp(v, 0.0f, 1.0f); }

// Paddings rounded up to a few sizes, so that an animated radius or offset reuses the slot's pooled
// images instead of asking for new sizes every frame (extra padding is transparent).
int quantize_pad(int px) {
  const int q = px <= 0 ? 1 : px < 32 ? 8 : px < 128 ? 32 : 128;
  return (px + q - 1) / q * q;
}
}  // namespace

// Separable Gaussian; from 8 texels on, on a pyramid: 2:1 box reductions to a level where sigma is
// 4..8 texels, the blur there (its variance less what the reductions and the final bilinear
// enlargement add: (4^k - 1)/12 and 4^k/6 texels^2), then one bilinear enlargement. The work area
// is the input padded by the reach; `extend` fills the padding with the edge texels (the first
// read clamps to the edge) and crops the result back to the input's extent.
EffectSource EffectChain::blur(Frame& f, const EffectSource& in, float sigma_x, float sigma_y, Growth& g,
                               bool extend) {
  const int px = quantize_pad(int(std::ceil(kReach * sigma_x))), py = quantize_pad(int(std::ceil(kReach * sigma_y)));
  g = extend ? Growth{} : Growth{px, py, px, py};
  const int W = in.width + 2 * px, H = in.height + 2 * py;                 // the padded work area
  const int OW = extend ? in.width : W, OH = extend ? in.height : H;         // the result
  const Affine2 crop = extend ? Affine2::translate(float(px), float(py)) : Affine2{};  // result -> work area
  const float sm = std::max(sigma_x, sigma_y);
  const int k = sm >= 8.0f ? std::min(10, int(std::floor(std::log2(sm / 4.0f)))) : 0;
  const Affine2 pad = Affine2::translate(float(-px), float(-py));
  auto own = [](const Image& img) {
    return EffectSource{&img, Affine2::scale(1.0f / float(img.width), 1.0f / float(img.height)), 0.0f, img.width,
                        img.height};
  };
  auto gauss = [&](const EffectSource& src, const Affine2& out_to_src, int w, int h, bool along_x, float sigma) {
    const Affine2 m = src.to_uv * out_to_src;
    Image& out = target(f, w, h);
    dispatch(f, blur_, out, src, out_to_src,
             along_x ? blur_params(m.m[0], m.m[3], sigma) : blur_params(m.m[1], m.m[4], sigma), nullptr,
             VK_NULL_HANDLE, extend && src.image == in.image);
    return own(out);
  };
  if (k == 0) {
    const EffectSource a = gauss(in, pad, W, H, true, sigma_x);
    return gauss(a, crop, OW, OH, false, sigma_y);
  }
  const int s = 1 << k;
  const int Wp = (W + s - 1) / s * s, Hp = (H + s - 1) / s * s;
  EffectSource cur = gauss(in, pad * Affine2::scale(2, 2), Wp / 2, Hp / 2, true, 0.0f);
  for (int level = 2; level <= k; ++level) cur = gauss(cur, Affine2::scale(2, 2), Wp >> level, Hp >> level, true, 0.0f);
  const double added = (std::pow(4.0, k) - 1.0) / 12.0 + std::pow(4.0, k) / 6.0;
  auto at_level = [&](float sigma) { return float(std::sqrt(std::max(0.0, double(sigma) * sigma - added)) / s); };
  cur = gauss(cur, Affine2{}, cur.width, cur.height, true, at_level(sigma_x));
  cur = gauss(cur, Affine2{}, cur.width, cur.height, false, at_level(sigma_y));
  return gauss(cur, Affine2::scale(1.0f / float(s), 1.0f / float(s)) * crop, OW, OH, true, 0.0f);
}

EffectSource EffectChain::shadow(Frame& f, const EffectSource& in, float dx, float dy, float sigma_x, float sigma_y,
                                 float strength, const std::array<float, 4>& premultiplied, Growth& g) {
  Growth bg;
  const EffectSource b = std::max(sigma_x, sigma_y) >= 0.05f ? blur(f, in, sigma_x, sigma_y, bg) : in;
  // Output: the layer's extent and the offset shadow's, in whole texels.
  auto grow = [](float v) { return quantize_pad(std::max(0, int(std::ceil(v)))); };
  g.left = grow(float(bg.left) - dx), g.top = grow(float(bg.top) - dy);
  g.right = grow(float(bg.right) + dx), g.bottom = grow(float(bg.bottom) + dy);
  Image& out = target(f, in.width + g.left + g.right, in.height + g.top + g.bottom);
  // Output pixel -> the blurred image's uv: back by the growth, back by the offset, on by its padding.
  const Affine2 to_b = b.to_uv * Affine2::translate(float(bg.left) - dx - float(g.left), float(bg.top) - dy - float(g.top));
  EffectParams p{};
  put_row(p, 0, {to_b.m[0], to_b.m[1], to_b.m[2], 0});
  put_row(p, 1, {to_b.m[3], to_b.m[4], to_b.m[5], 0});
  put_row(p, 2, premultiplied);
  p[12] = strength;
  dispatch(f, shadow_, out, in, Affine2::translate(float(-g.left), float(-g.top)), p, b.image);
  return {&out, Affine2::scale(1.0f / float(out.width), 1.0f / float(out.height)), 0.0f, out.width, out.height};
}

EffectSource EffectChain::color(Frame& f, const EffectSource& in, const Effect& e, int64_t k) {
  using namespace effect_param;
  EffectParams p{};
  const float gamma = std::max(1e-3f, e.at(kGamma, k));
  put_row(p, 0, {float(std::exp2(double(e.at(kExposure, k)))), std::max(0.0f, e.at(kBrightness, k)),
                 std::max(0.0f, e.at(kContrast, k)), 1.0f / gamma});
  put_matrix(p, 1, saturate(std::max(0.0f, e.at(kSaturation, k))));
  put_matrix(p, 4, hue_rotate(e.at(kHue, k)));
  put_matrix(p, 7, grayscale(clamp01(e.at(kGrayscale, k))));
  put_matrix(p, 10, sepia(clamp01(e.at(kSepia, k))));
  put_matrix(p, 13, invert(clamp01(e.at(kInvert, k))));
  Image& out = target(f, in.width, in.height);
  dispatch(f, color_, out, in, Affine2{}, p);
  return {&out, Affine2::scale(1.0f / float(out.width), 1.0f / float(out.height)), 0.0f, out.width, out.height};
}

EffectSource EffectChain::lut(Frame& f, const EffectSource& in, const Effect& e, int64_t k) {
  const CubeLut& l = *e.lut;
  EffectParams p{};
  put_row(p, 0, {float(l.size3d), float(l.size1d), clamp01(e.at(effect_param::kLutStrength, k)), 0});
  put_row(p, 1, {l.domain_min[0], l.domain_min[1], l.domain_min[2], 0});
  put_row(p, 2, {l.domain_max[0], l.domain_max[1], l.domain_max[2], 0});
  Image& out = target(f, in.width, in.height);
  dispatch(f, lut_, out, in, Affine2{}, p, nullptr, lut_table(e.lut));
  return {&out, Affine2::scale(1.0f / float(out.width), 1.0f / float(out.height)), 0.0f, out.width, out.height};
}

EffectSource EffectChain::key(Frame& f, const EffectSource& in, const Effect& e, int64_t k) {
  using namespace effect_param;
  const auto& c = e.color;  // straight RGB
  const float y = 0.2126f * c[0] + 0.7152f * c[1] + 0.0722f * c[2];
  EffectParams p{};
  put_row(p, 0, {(c[2] - y) / 1.8556f, (c[0] - y) / 1.5748f, clamp01(e.at(kKeySimilarity, k)),
                 clamp01(e.at(kKeySmoothness, k))});
  p[4] = clamp01(e.at(kKeySpill, k));
  Image& out = target(f, in.width, in.height);
  dispatch(f, key_, out, in, Affine2{}, p);
  return {&out, Affine2::scale(1.0f / float(out.width), 1.0f / float(out.height)), 0.0f, out.width, out.height};
}

EffectSource EffectChain::custom(Frame& f, const EffectSource& in, const Effect& e, int64_t k,
                                 const LayerPlacement& place) {
  EffectParams p{};
  p[0] = e.at(0, k);  // u_time, seconds
  p[1] = place.size[0], p[2] = place.size[1];
  for (size_t i = 1; i < e.params.size() && i + 3 < p.size(); ++i) p[i + 3] = e.at(i, k);
  Image& out = target(f, in.width, in.height);
  dispatch(f, shader_program(e.shader), out, in, Affine2{}, p);
  return {&out, Affine2::scale(1.0f / float(out.width), 1.0f / float(out.height)), 0.0f, out.width, out.height};
}

}  // namespace reelforge
