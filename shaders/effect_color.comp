#version 450
// Colour adjustments on unpremultiplied colour, alpha kept (W3C Filter Effects Module Level 1,
// section 13 "filter functions", each result clamped to 0..1 as its feColorMatrix /
// feComponentTransfer primitive is):
//   exposure: linear light x 2^stops (sRGB decoded, then encoded again; skipped when 1)
//   brightness(b): C' = b C;  contrast(c): C' = c C + 0.5 - 0.5 c
//   then five 3x4 matrices (saturate, hue-rotate, grayscale, sepia, invert; identity when unused)
//   gamma: C' = C^(1/gamma)
// P.p[0] = (exposure multiplier, brightness, contrast, 1/gamma); P.p[1 + 3m + row]: matrix m.
#include "effect_common.glsl"

vec3 srgb_to_linear(vec3 c) { return mix(c / 12.92, pow((c + 0.055) / 1.055, vec3(2.4)), greaterThan(c, vec3(0.04045))); }
vec3 linear_to_srgb(vec3 c) { return mix(c * 12.92, 1.055 * pow(c, vec3(1.0 / 2.4)) - 0.055, greaterThan(c, vec3(0.0031308))); }

void main() {
  ivec2 p;
  if (!output_pixel(p)) return;
  vec4 c = unpremultiply(fetch(src_uv(vec2(p) + 0.5)));
  vec3 rgb = c.rgb;
  const vec4 k = P.p[0];
  if (k.x != 1.0) rgb = linear_to_srgb(clamp(srgb_to_linear(rgb) * k.x, 0.0, 1.0));
  rgb = clamp(rgb * k.y, 0.0, 1.0);
  rgb = clamp(rgb * k.z + 0.5 - 0.5 * k.z, 0.0, 1.0);
  for (int m = 0; m < 5; ++m) {
    const vec4 r0 = P.p[1 + 3 * m], r1 = P.p[2 + 3 * m], r2 = P.p[3 + 3 * m];
    const vec4 x = vec4(rgb, 1.0);
    rgb = clamp(vec3(dot(r0, x), dot(r1, x), dot(r2, x)), 0.0, 1.0);
  }
  if (k.w != 1.0) rgb = pow(rgb, vec3(k.w));
  imageStore(dst, p, vec4(rgb * c.a, c.a));
}
