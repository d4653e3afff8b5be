#version 450
#extension GL_GOOGLE_include_directive : require
// Composites one layer over the accumulator, dispatched over the layer's bounding box only.
// KIND and BLEND are specialisation constants, so each pipeline holds just its own path (CPU
// Vulkan drivers such as lavapipe run every branch of a non-constant switch).
// Blend modes follow W3C Compositing and Blending Level 1, section 9 (premultiplied form):
//   co = cs (1 - ab) + cb (1 - as) + as ab B(Cb, Cs),  ao = as + ab (1 - as);
// "add" is the Porter-Duff plus-lighter operator: co = min(1, cs + cb), ao = min(1, as + ab).
#include "common.glsl"

layout(local_size_x = 16, local_size_y = 16) in;
// KIND: 0 solid, 1 RGBA image, 2 yuv planes, 3 yuva planes, 4 video converted to RGBA (yuv_to_rgba.comp)
layout(constant_id = 0) const int KIND = 0;
layout(constant_id = 1) const int BLEND = 0;  // numbering of reelforge::BlendMode
// FIRST: the bottom layer, dispatched over the whole canvas when it covers it; it composites over
// the background colour instead of reading the accumulator, saving the clear pass and one read.
layout(constant_id = 2) const bool FIRST = false;

vec3 blend_fn(vec3 cb, vec3 cs) {
  if (BLEND == 1) return cb * cs;                                   // multiply
  if (BLEND == 2) return cb + cs - cb * cs;                         // screen
  if (BLEND == 3) {                                                 // overlay = hard-light(Cs, Cb)
    vec3 s = 2.0 * cb - 1.0;
    return mix(cs * 2.0 * cb, cs + s - cs * s, vec3(greaterThan(cb, vec3(0.5))));
  }
  if (BLEND == 4) return min(cb, cs);                               // darken
  if (BLEND == 5) return max(cb, cs);                               // lighten
  if (BLEND == 7) return abs(cb - cs);                              // difference
  return cs;                                                        // normal
}

vec4 composite(vec4 dst, vec4 src) {
  if (BLEND == 0) return src + dst * (1.0 - src.a);
  if (BLEND == 6) return min(src + dst, vec4(1.0));
  vec3 Cs = src.a > 0.0 ? src.rgb / src.a : vec3(0.0);
  vec3 Cb = dst.a > 0.0 ? dst.rgb / dst.a : vec3(0.0);
  vec3 co = src.rgb * (1.0 - dst.a) + dst.rgb * (1.0 - src.a) + src.a * dst.a * blend_fn(Cb, Cs);
  return vec4(co, src.a + dst.a * (1.0 - src.a));
}

// Explicit LOD 0: compute shaders have no derivatives for implicit-LOD sampling.
float plane(texture2D t, vec2 uv) { return textureLod(sampler2D(t, bilinear), uv, 0.0).r; }

void main() {
  ivec2 p = pc.origin.xy + ivec2(gl_GlobalInvocationID.xy);
  if (p.x >= pc.dims.x || p.y >= pc.dims.y) return;
  LayerParams L = layer;
  vec3 c = vec3(vec2(p) + 0.5, 1.0);
  vec2 local = vec2(dot(L.inv0.xyz, c), dot(L.inv1.xyz, c));
  // Box-filter coverage of the layer's edges in canvas pixels: antialiased borders under
  // rotation/scaling, exactly 0 or 1 for pixel-aligned layers.
  vec2 edge = min(local - L.clip.xy, L.clip.zw - local) * vec2(L.inv0.w, L.inv1.w);
  vec2 cov2 = clamp(edge + 0.5, 0.0, 1.0);
  float cov = cov2.x * cov2.y * L.size.z;
  if (cov <= 0.0) {
    if (FIRST) imageStore(acc, p, pc.background);
    return;
  }
  vec2 uv = local / L.size.xy;
  vec4 src;
  if (KIND == 0) {
    src = L.color;
  } else if (KIND == 1) {
    src = textureLod(sampler2D(tex0, bilinear), uv, 0.0);  // premultiplied texels: filtering stays correct
  } else if (KIND == 4) {
    src = textureLod(sampler2D(tex_rgba, bilinear), uv, 0.0);  // premultiplied, from yuv_to_rgba.comp
  } else {
    vec4 yuv = vec4(plane(tex0, uv), plane(tex1, uv), plane(tex2, uv), 1.0);
    vec3 rgb = clamp(vec3(dot(L.yuv_r, yuv), dot(L.yuv_g, yuv), dot(L.yuv_b, yuv)), 0.0, 1.0);
    float a = KIND == 3 ? plane(tex3, uv) : 1.0;
    src = vec4(rgb * a, a);
  }
  imageStore(acc, p, composite(FIRST ? pc.background : imageLoad(acc, p), src * cov));
}
