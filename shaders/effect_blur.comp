#version 450
// One separable Gaussian pass (W3C Filter Effects feGaussianBlur; CSS blur(): the radius is the
// standard deviation): sampled weights exp(-i^2 / 2 sigma^2) over taps -r..r, normalised. With
// r = 0 it only resamples: a 2:1 box reduction (one bilinear fetch between four texels) or a
// bilinear enlargement, the steps of the pyramid for large radii (blur_effect.cpp).
// P.p[0]: xy = one tap in input uv, z = sigma in taps, w = r (taps each side).
#include "effect_common.glsl"

void main() {
  ivec2 p;
  if (!output_pixel(p)) return;
  const vec2 uv = src_uv(vec2(p) + 0.5);
  const vec2 step = P.p[0].xy;
  const int r = int(P.p[0].w);
  vec4 acc = fetch(uv);
  float wsum = 1.0;
  const float k = r > 0 ? -0.5 / (P.p[0].z * P.p[0].z) : 0.0;
  for (int i = 1; i <= r; ++i) {
    const float w = exp(k * float(i * i));
    acc += w * (fetch(uv + float(i) * step) + fetch(uv - float(i) * step));
    wsum += 2.0 * w;
  }
  imageStore(dst, p, acc / wsum);
}
