#version 450
// A .cube LUT on unpremultiplied colour, alpha kept: input mapped from [domain_min, domain_max]
// to table coordinates and clamped; a 3D table (red fastest) interpolated trilinearly, a 1D table
// linearly per channel; the result mixed with the input by `strength`.
// P.p[0] = (size3d, size1d, strength, 0); P.p[1].xyz = domain_min; P.p[2].xyz = domain_max.
#include "effect_common.glsl"

vec3 entry(int i) { return vec3(table[3 * i], table[3 * i + 1], table[3 * i + 2]); }

vec3 lut3d(vec3 x, int n) {
  const vec3 f = x * float(n - 1);
  const ivec3 i0 = min(ivec3(floor(f)), ivec3(n - 2));
  const vec3 t = f - vec3(i0);
  vec3 acc = vec3(0.0);
  for (int c = 0; c < 8; ++c) {
    const ivec3 o = ivec3(c & 1, (c >> 1) & 1, (c >> 2) & 1);
    const vec3 w = mix(1.0 - t, t, vec3(o));
    const ivec3 i = i0 + o;
    acc += w.x * w.y * w.z * entry(i.x + n * (i.y + n * i.z));
  }
  return acc;
}

vec3 lut1d(vec3 x, int n) {
  vec3 o;
  for (int c = 0; c < 3; ++c) {
    const float f = x[c] * float(n - 1);
    const int i0 = min(int(floor(f)), n - 2);
    o[c] = mix(table[3 * i0 + c], table[3 * (i0 + 1) + c], f - float(i0));
  }
  return o;
}

void main() {
  ivec2 p;
  if (!output_pixel(p)) return;
  vec4 c = unpremultiply(fetch(src_uv(vec2(p) + 0.5)));
  const vec3 x = clamp((c.rgb - P.p[1].xyz) / (P.p[2].xyz - P.p[1].xyz), 0.0, 1.0);
  const int n3 = int(P.p[0].x), n1 = int(P.p[0].y);
  const vec3 y = n3 > 0 ? lut3d(x, n3) : lut1d(x, n1);
  const vec3 rgb = clamp(mix(c.rgb, y, P.p[0].z), 0.0, 1.0);
  imageStore(dst, p, vec4(rgb * c.a, c.a));
}
