#version 450
// Composites one tile group's layer stack and writes the result straight to the outputs: the frame
// is never stored as an intermediate image (src/gpu/tiling.h groups the canvas's 128x16 tiles by
// the layers that can touch them; one workgroup is one tile, one invocation a 16x2 pixel block).
//
// The stack is fixed by specialisation constants (layer count, each layer's kind and blend mode),
// so each pipeline holds just its own path: CPU Vulkan drivers such as lavapipe execute every side
// of a non-constant branch. Compositing is premultiplied RGBA in float32, in sRGB-encoded space,
// bottom to top over the background; blend modes follow W3C Compositing and Blending Level 1,
// section 9 (premultiplied form):
//   co = cs (1 - ab) + cb (1 - as) + as ab B(Cb, Cs),  ao = as + ab (1 - as);
// "add" is the Porter-Duff plus-lighter operator: co = min(1, cs + cb), ao = min(1, as + ab).
//
// Outputs (each row of a block is stored as whole 16-byte words: the buffers' row strides are
// multiples of 16 pixels):
//  - NV12, ITU-R BT.709 matrix, limited range (BT.709-6 item 3):
//      Y = 16 + 219 Y',  Cb = 128 + 224 (B' - Y') / 1.8556,  Cr = 128 + 224 (R' - Y') / 1.5748,
//      Y' = 0.2126 R' + 0.7152 G' + 0.0722 B',
//    from the colour rounded to 8 bits first (as in the RGBA8 output, so the two agree), chroma
//    from the 2x2 average;
//  - premultiplied RGBA8;
//  - or, for stacks deeper than one pass holds, a float16 RGBA accumulator that the next pass of
//    the same tiles reads instead of the background.
#extension GL_GOOGLE_include_directive : require
#include "stack.glsl"

layout(local_size_x = 8, local_size_y = 8) in;

layout(constant_id = 0) const int N = 0;  // layers in this pass (0..MAX_STACK)
// Per layer k: kind * 16 + blend; kind 0 = solid colour, 1 = RGBA8 texture; blend numbered as
// reelforge::BlendMode.
layout(constant_id = 1) const int KB0 = 0;
layout(constant_id = 2) const int KB1 = 0;
layout(constant_id = 3) const int KB2 = 0;
layout(constant_id = 4) const int KB3 = 0;
layout(constant_id = 5) const int KB4 = 0;
layout(constant_id = 6) const int KB5 = 0;
layout(constant_id = 7) const int KB6 = 0;
layout(constant_id = 8) const int KB7 = 0;
layout(constant_id = 9) const bool READ_ACC = false;   // start from the accumulator, not the background
layout(constant_id = 10) const bool WRITE_ACC = false;  // write the accumulator instead of the outputs
layout(constant_id = 11) const bool WANT_NV12 = true;
layout(constant_id = 12) const bool WANT_RGBA = false;

int kb(int k) {
  return k == 0 ? KB0 : k == 1 ? KB1 : k == 2 ? KB2 : k == 3 ? KB3 : k == 4 ? KB4 : k == 5 ? KB5 : k == 6 ? KB6 : KB7;
}

vec3 blend_fn(int mode, vec3 cb, vec3 cs) {
  if (mode == 1) return cb * cs;                                   // multiply
  if (mode == 2) return cb + cs - cb * cs;                         // screen
  if (mode == 3) {                                                 // overlay = hard-light(Cs, Cb)
    vec3 s = 2.0 * cb - 1.0;
    return mix(cs * 2.0 * cb, cs + s - cs * s, vec3(greaterThan(cb, vec3(0.5))));
  }
  if (mode == 4) return min(cb, cs);                               // darken
  if (mode == 5) return max(cb, cs);                               // lighten
  if (mode == 7) return abs(cb - cs);                              // difference
  return cs;                                                       // normal
}

vec4 composite(int mode, vec4 dst, vec4 src) {
  if (mode == 0) return src + dst * (1.0 - src.a);
  if (mode == 6) return min(src + dst, vec4(1.0));
  vec3 Cs = src.a > 0.0 ? src.rgb / src.a : vec3(0.0);
  vec3 Cb = dst.a > 0.0 ? dst.rgb / dst.a : vec3(0.0);
  vec3 co = src.rgb * (1.0 - dst.a) + dst.rgb * (1.0 - src.a) + src.a * dst.a * blend_fn(mode, Cb, Cs);
  return vec4(co, src.a + dst.a * (1.0 - src.a));
}

LayerParams Ls[MAX_STACK];  // the pass's layers, loaded once per invocation (not once per pixel)

// Layer k's premultiplied colour at canvas point p (a pixel centre), edge coverage and opacity applied.
vec4 layer(int k, vec2 p) {
  LayerParams L = Ls[k];
  vec2 uv = vec2(dot(L.u.xy, p) + L.u.z, dot(L.v.xy, p) + L.v.z);
  // Box-filter coverage of the visible rectangle's edges in canvas pixels: antialiased borders
  // under rotation/scaling, exactly 0 or 1 for pixel-aligned layers.
  vec2 edge = min(uv - L.clip.xy, L.clip.zw - uv) * vec2(L.u.w, L.v.w);
  vec2 cov = clamp(edge + 0.5, 0.0, 1.0);
  vec4 src = kb(k) >= 16 ? textureLod(sampler2D(tex[k], bilinear), uv, 0.0) : vec4(1.0);  // explicit LOD: no derivatives in compute
  return src * L.color * (cov.x * cov.y);
}

// Written out rather than looped: every layer index must be a constant after specialisation
// (textures are indexed by it), and drivers need not unroll a loop with a large body.
#define LAYER(k) if (N > k) d = composite(kb(k) & 15, d, layer(k, p));
vec4 shade(vec2 p, vec4 base) {
  vec4 d = base;
  LAYER(0) LAYER(1) LAYER(2) LAYER(3) LAYER(4) LAYER(5) LAYER(6) LAYER(7)
  return d;
}

vec3 to8(vec4 c) { return floor(clamp(c.rgb, 0.0, 1.0) * 255.0 + 0.5) / 255.0; }

const vec3 KY = vec3(0.2126, 0.7152, 0.0722);
uint luma(vec3 rgb) { return uint(floor(16.0 + 219.0 * dot(KY, rgb) + 0.5)); }
uint chroma(vec3 rgb) {  // Cb | Cr << 8
  float y = dot(KY, rgb);
  uvec2 c = uvec2(floor(vec2(128.0 + 224.0 * (rgb.b - y) / 1.8556, 128.0 + 224.0 * (rgb.r - y) / 1.5748) + 0.5));
  return c.x | (c.y << 8);
}

void main() {
  const uint t = tiles[pc.tile.x + int(gl_WorkGroupID.x)];
  const int bx = int(t & 0xffffu) * 128 + int(gl_LocalInvocationID.x) * 16;
  const int by = int(t >> 16) * 16 + int(gl_LocalInvocationID.y) * 2;
  if (bx >= pc.dims.x || by >= pc.dims.y) return;
#define LOAD(k) if (N > k) Ls[k] = stack.layers[k];
  LOAD(0) LOAD(1) LOAD(2) LOAD(3) LOAD(4) LOAD(5) LOAD(6) LOAD(7)
  const int acc_row = pc.tile.y / 2;  // accumulator row stride in uvec4 (2 pixels each)
  uvec4 y0 = uvec4(0), y1 = uvec4(0), uv = uvec4(0);
  for (int q = 0; q < 4; ++q) {  // four 4x2 quads
    vec4 c[2][4];
    for (int r = 0; r < 2; ++r) {
      vec4 base[4] = vec4[4](pc.background, pc.background, pc.background, pc.background);
      const int ai = (by + r) * acc_row + (bx + 4 * q) / 2;
      if (READ_ACC) {
        uvec4 a = acc[ai], b = acc[ai + 1];
        base[0] = vec4(unpackHalf2x16(a.x), unpackHalf2x16(a.y));
        base[1] = vec4(unpackHalf2x16(a.z), unpackHalf2x16(a.w));
        base[2] = vec4(unpackHalf2x16(b.x), unpackHalf2x16(b.y));
        base[3] = vec4(unpackHalf2x16(b.z), unpackHalf2x16(b.w));
      }
      for (int k = 0; k < 4; ++k) c[r][k] = shade(vec2(bx + 4 * q + k, by + r) + 0.5, base[k]);
      if (WRITE_ACC) {
        acc[ai] = uvec4(packHalf2x16(c[r][0].rg), packHalf2x16(c[r][0].ba), packHalf2x16(c[r][1].rg), packHalf2x16(c[r][1].ba));
        acc[ai + 1] = uvec4(packHalf2x16(c[r][2].rg), packHalf2x16(c[r][2].ba), packHalf2x16(c[r][3].rg), packHalf2x16(c[r][3].ba));
      } else if (WANT_RGBA) {
        rgba_out[((by + r) * pc.dims.w + bx) / 4 + q] =
            uvec4(packUnorm4x8(c[r][0]), packUnorm4x8(c[r][1]), packUnorm4x8(c[r][2]), packUnorm4x8(c[r][3]));
      }
    }
    if (WANT_NV12 && !WRITE_ACC) {
      vec3 a[4], b[4];
      uint w0 = 0u, w1 = 0u;
      for (int k = 0; k < 4; ++k) {
        a[k] = to8(c[0][k]);
        b[k] = to8(c[1][k]);
        w0 |= luma(a[k]) << (8 * k);
        w1 |= luma(b[k]) << (8 * k);
      }
      y0[q] = w0;
      y1[q] = w1;
      uv[q] = chroma((a[0] + a[1] + b[0] + b[1]) * 0.25) | (chroma((a[2] + a[3] + b[2] + b[3]) * 0.25) << 16);
    }
  }
  if (WANT_NV12 && !WRITE_ACC) {
    const int stride = pc.dims.z;  // bytes per row, a multiple of 16
    nv12_out[(by * stride + bx) / 16] = y0;
    nv12_out[((by + 1) * stride + bx) / 16] = y1;
    nv12_out[(stride * pc.dims.y + (by / 2) * stride + bx) / 16] = uv;
  }
}
