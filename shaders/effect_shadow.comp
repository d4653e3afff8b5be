#version 450
// Drop shadow and outer glow: the layer (src) drawn source-over a shadow made of the blurred
// layer's alpha (src2, its own map) times a colour: shadow = colour * min(1, strength * alpha)
// (W3C Filter Effects drop-shadow(): feGaussianBlur of SourceAlpha, feOffset, feFlood,
// feComposite in, feMerge under the source).
// P.p[0], P.p[1]: output pixel -> src2 uv rows (as Push.map_u/map_v); P.p[2]: premultiplied
// colour (x opacity); P.p[3].x: strength.
#include "effect_common.glsl"

void main() {
  ivec2 p;
  if (!output_pixel(p)) return;
  const vec3 q = vec3(vec2(p) + 0.5, 1.0);
  const vec4 s = fetch(src_uv(q.xy));
  const float a = textureLod(src2, vec2(dot(P.p[0].xyz, q), dot(P.p[1].xyz, q)), 0.0).a;
  const vec4 shadow = P.p[2] * min(1.0, P.p[3].x * a);
  imageStore(dst, p, s + (1.0 - s.a) * shadow);
}
