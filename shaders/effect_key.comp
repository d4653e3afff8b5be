#version 450
// Chroma key on unpremultiplied colour, after OBS Studio's chroma key filter: the distance d
// between the pixel's and the key's BT.709 (Cb, Cr) (Cb = (B - Y') / 1.8556, Cr = (R - Y') /
// 1.5748, Y' = 0.2126 R + 0.7152 G + 0.0722 B); m = d - similarity;
// alpha *= clamp(m / smoothness, 0, 1)^1.5; spill: the colour is desaturated towards Y' by
// 1 - clamp(m / spill, 0, 1)^1.5.
// P.p[0] = (key Cb, key Cr, similarity, smoothness); P.p[1].x = spill.
#include "effect_common.glsl"

vec2 cbcr(vec3 c) {
  const float y = dot(c, vec3(0.2126, 0.7152, 0.0722));
  return vec2((c.b - y) / 1.8556, (c.r - y) / 1.5748);
}

void main() {
  ivec2 p;
  if (!output_pixel(p)) return;
  vec4 c = unpremultiply(fetch(src_uv(vec2(p) + 0.5)));
  const float m = distance(cbcr(c.rgb), P.p[0].xy) - P.p[0].z;
  const float a = c.a * pow(clamp(m / max(P.p[0].w, 1e-6), 0.0, 1.0), 1.5);
  const float keep = pow(clamp(m / max(P.p[1].x, 1e-6), 0.0, 1.0), 1.5);
  const vec3 rgb = mix(vec3(dot(c.rgb, vec3(0.2126, 0.7152, 0.0722))), c.rgb, keep);
  imageStore(dst, p, vec4(rgb * a, a));
}
