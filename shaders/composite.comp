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
//    sited left (see left_column below);
//  - premultiplied RGBA8;
//  - or, for stacks deeper than one pass holds, an RGBA accumulator of 16-bit unsigned normalised
//    components that the next pass of the same tiles reads instead of the background. The
//    premultiplied results of every blend mode stay within [0, 1] (co <= ao <= 1), so 16-bit
//    levels keep them to 1/65535 (float16 kept 1/2048 near 1), and pack with a multiply and a
//    rounding, much cheaper than float16 conversions on CPU drivers (measured on lavapipe: a
//    9-layer full-frame stack at 1080p from 35 to 24 ms per frame).
#extension GL_GOOGLE_include_directive : require
#include "stack.glsl"

layout(local_size_x = 8, local_size_y = 8) in;

layout(constant_id = COMPOSITE_N) const int N = 0;  // layers in this pass (0..MAX_STACK)
// Per layer k: kind * 16 + blend; kind 0 = solid colour, 1 = RGBA8 texture, 2 = minified RGBA8
// texture (mipmapped, LOD per layer), 3 = texel-aligned RGBA8 texture (one texel per canvas pixel,
// pixel centres on texel centres: read with one fetch, the value bilinear filtering gives there,
// where the sampler's four fetches cost most of a CPU driver's compositing), + 64 for the styled path (rounded corners, border); blend
// numbered as reelforge::BlendMode; + 128 for the bottom layer of tiles it covers opaquely
// (src/gpu/tiling.h TileGroup::covered: its edge coverage is 1 and what is below is hidden, so
// the colour is its own: fewer operations per pixel, the same values). Ids in spec_ids.glsl,
// mirrored by CompositeSpec (src/gpu/spec_constants.h).
layout(constant_id = COMPOSITE_KB0) const int KB0 = 0;
layout(constant_id = COMPOSITE_KB1) const int KB1 = 0;
layout(constant_id = COMPOSITE_KB2) const int KB2 = 0;
layout(constant_id = COMPOSITE_KB3) const int KB3 = 0;
layout(constant_id = COMPOSITE_KB4) const int KB4 = 0;
layout(constant_id = COMPOSITE_KB5) const int KB5 = 0;
layout(constant_id = COMPOSITE_KB6) const int KB6 = 0;
layout(constant_id = COMPOSITE_KB7) const int KB7 = 0;
layout(constant_id = COMPOSITE_READ_ACC) const bool READ_ACC = false;   // start from the accumulator, not the background
layout(constant_id = COMPOSITE_WRITE_ACC) const bool WRITE_ACC = false;  // write the accumulator instead of the outputs
layout(constant_id = COMPOSITE_WANT_NV12) const bool WANT_NV12 = true;
layout(constant_id = COMPOSITE_WANT_RGBA) const bool WANT_RGBA = false;

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

// Signed distance (negative inside) from p to a rectangle of half size hb centred at the origin
// with corners rounded by r (<= min(hb)), in the units of p.
float rounded_rect(vec2 p, vec2 hb, float r) {
  vec2 q = abs(p) - hb + r;
  return length(max(q, 0.0)) + min(max(q.x, q.y), 0.0) - r;
}

// A styled layer's source: coverage of the visible rectangle with rounded corners (antialiased
// over one canvas pixel, from the distance in layer-local units scaled to canvas pixels), and the
// border (inside the edge, as CSS borders) composited over the content.
vec4 styled(int k, vec2 uv, vec4 src) {
  LayerParams L = Ls[k];
  LayerStyle S = stack.styles[k];
  vec2 lo = L.clip.xy * S.shape.xy, hi = L.clip.zw * S.shape.xy;  // visible rectangle, local units
  vec2 c = 0.5 * (lo + hi), hb = 0.5 * (hi - lo);
  vec2 p = uv * S.shape.xy - c;
  float px = 0.5 * (L.u.w / S.shape.x + L.v.w / S.shape.y);  // canvas pixels per local unit
  float r = min(S.shape.z, min(hb.x, hb.y));
  float outer = clamp(0.5 - rounded_rect(p, hb, r) * px, 0.0, 1.0);
  vec2 ib = hb - S.shape.w;
  float inner = min(ib.x, ib.y) > 0.0 ? clamp(0.5 - rounded_rect(p, ib, clamp(r - S.shape.w, 0.0, min(ib.x, ib.y))) * px, 0.0, 1.0) : 0.0;
  float ring = max(outer - inner, 0.0);
  return S.border * ring + src * outer * (1.0 - S.border.a * ring);
}

// Layer k's premultiplied colour at canvas point p (a pixel centre), edge coverage and opacity applied.
vec4 layer(int k, vec2 p) {
  LayerParams L = Ls[k];
  vec2 uv = vec2(dot(L.u.xy, p) + L.u.z, dot(L.v.xy, p) + L.v.z);
  // Box-filter coverage of the visible rectangle's edges in canvas pixels: antialiased borders
  // under rotation/scaling, exactly 0 or 1 for pixel-aligned layers.
  vec2 edge = min(uv - L.clip.xy, L.clip.zw - uv) * vec2(L.u.w, L.v.w);
  vec2 cov = clamp(edge + 0.5, 0.0, 1.0);
  // Explicit LOD (no derivatives in compute): 0 for textures shown at their size or larger; for
  // minified ones (kind 2) the layer's own, computed per frame from its placement (color.y),
  // sampled trilinearly from the texture's box-filtered mip chain.
  vec4 src;
  const int kind = (kb(k) >> 4) & 3;
  const bool covering = (kb(k) & 128) != 0;  // opacity 1 (TileGroup::covered): no multiply by it
  if (kind == 2) src = textureLod(sampler2D(tex[k], bilinear), uv, L.color.y);
  else if (kind == 1) src = textureLod(sampler2D(tex[k], bilinear), uv, 0.0);
  else if (kind == 3) {  // the texel under the pixel centre; clamped to the edge as the sampler is
    const ivec2 size = textureSize(sampler2D(tex[k], bilinear), 0);
    src = texelFetch(sampler2D(tex[k], bilinear), clamp(ivec2(floor(uv * vec2(size))), ivec2(0), size - 1), 0);
  }
  else src = L.color;
  if (covering) return src;
  if (kind == 2) src *= L.color.x;
  else if (kind != 0) src *= L.color;
  if ((kb(k) & 64) != 0) return styled(k, uv, src);
  return src * (cov.x * cov.y);
}

// Written out rather than looped: every layer index must be a constant after specialisation
// (textures are indexed by it), and drivers need not unroll a loop with a large body.
#define LAYER(k) if (N > k) d = (kb(k) & 128) != 0 ? layer(k, p) : composite(kb(k) & 15, d, layer(k, p));
vec4 shade(vec2 p, vec4 base) {
  vec4 d = base;
  LAYER(0) LAYER(1) LAYER(2) LAYER(3) LAYER(4) LAYER(5) LAYER(6) LAYER(7)
  return d;
}

// The colour rounded to 8-bit levels (0..255, as floats), as in the RGBA8 output. A pass of one
// covering texture alone is in range already (an UNORM sample): no clamp there.
vec3 to8(vec4 c) {
  const bool sample_only = N == 1 && (kb(0) & 128) != 0 && ((kb(0) >> 4) & 3) != 0 && !READ_ACC;  // constant once specialised
  return floor((sample_only ? c.rgb : clamp(c.rgb, 0.0, 1.0)) * 255.0 + 0.5);
}

// The BT.709 formulas above on 8-bit levels (R' = level / 255), folded into one dot product per
// component (no division per pixel, which CPU drivers execute as such), rounded half up.
const vec3 KY = vec3(0.2126, 0.7152, 0.0722);
const vec3 Y8 = KY * (219.0 / 255.0);
uint luma(vec3 q) { return uint(16.5 + dot(Y8, q)); }
// Cb | Cr << 8 of the mean of the colours whose levels sum to `s` with total weight 8 (the
// [1 2 1] / 4 filter over two rows).
const vec3 CB8 = (vec3(0.0, 0.0, 1.0) - KY) * (224.0 / (255.0 * 1.8556 * 8.0));
const vec3 CR8 = (vec3(1.0, 0.0, 0.0) - KY) * (224.0 / (255.0 * 1.5748 * 8.0));
uint chroma8(vec3 s) {
  const uvec2 c = uvec2(128.5 + vec2(dot(CB8, s), dot(CR8, s)));
  return c.x | (c.y << 8);
}

// The accumulated colour of pixel (x, y) of the canvas (READ_ACC).
vec4 acc_pixel(int x, int y) {
  const uvec4 a = acc[y * (pc.tile.y / 2) + x / 2];
  return (x & 1) == 0 ? vec4(unpackUnorm2x16(a.x), unpackUnorm2x16(a.y)) : vec4(unpackUnorm2x16(a.z), unpackUnorm2x16(a.w));
}

// NV12 chroma is sited left (H.264/HEVC's default, chroma_sample_location 0): sample m of a row
// pair sits on luma column 2m, vertically between the two rows, and is filtered [1 2 1] / 4
// across columns 2m - 1, 2m, 2m + 1 and averaged over the two rows (column -1 repeats column 0).
// Column bx - 1 left of each block is composited once more by the block's own invocation
// (cheaper on CPU drivers than sharing it: a barrier makes lavapipe run invocations as
// coroutines). Left of a tile it belongs to another tile, whose accumulator this dispatch does
// not own: deep stacks keep that column's accumulated colour in 16 entries per tile after the
// canvas (pc.tile.z), written by the WRITE_ACC dispatches of the first row of invocations.
vec3 left_column(int bx, int by, int lx, int ly) {
  vec3 sum = vec3(0.0);
  const int x = max(bx - 1, 0);
  for (int r = 0; r < 2; ++r) {
    const int e = pc.tile.z + (pc.tile.x + int(gl_WorkGroupID.x)) * 16 + 2 * ly + r;  // tile-edge entry
    vec4 base = pc.background;
    if (READ_ACC) base = lx == 0 ? vec4(unpackUnorm2x16(acc[e].x), unpackUnorm2x16(acc[e].y)) : acc_pixel(x, by + r);
    const vec4 c = shade(vec2(x, by + r) + 0.5, base);
    if (WRITE_ACC) acc[e] = uvec4(packUnorm2x16(c.rg), packUnorm2x16(c.ba), 0u, 0u);
    sum += to8(c);
  }
  return sum;
}

void main() {
  const uint t = tiles[pc.tile.x + int(gl_WorkGroupID.x)];
  const int lx = int(gl_LocalInvocationID.x), ly = int(gl_LocalInvocationID.y);
  const int bx = int(t & 0xffffu) * 128 + lx * 16, by = int(t >> 16) * 16 + ly * 2;
  if (bx >= pc.dims.x || by >= pc.dims.y) return;
  const bool nv12 = WANT_NV12 && !WRITE_ACC;
#define LOAD(k) if (N > k) Ls[k] = stack.layers[k];
  LOAD(0) LOAD(1) LOAD(2) LOAD(3) LOAD(4) LOAD(5) LOAD(6) LOAD(7)
  const int acc_row = pc.tile.y / 2;  // accumulator row stride in uvec4 (2 pixels each)
  vec3 prev = vec3(0.0);  // the two rows' colours in the column left of the quad
  if (nv12) prev = left_column(bx, by, lx, ly);
  else if (WANT_NV12 && lx == 0) left_column(bx, by, lx, ly);  // WRITE_ACC: the tile-edge entries
  uvec4 y0 = uvec4(0), y1 = uvec4(0), uv = uvec4(0);
  uvec4 fold = uvec4(0);  // see the end
  for (int q = 0; q < 4; ++q) {  // four 4x2 quads
    vec4 c[2][4];
    for (int r = 0; r < 2; ++r) {
      vec4 base[4] = vec4[4](pc.background, pc.background, pc.background, pc.background);
      const int ai = (by + r) * acc_row + (bx + 4 * q) / 2;
      if (READ_ACC) {
        uvec4 a = acc[ai], b = acc[ai + 1];
        base[0] = vec4(unpackUnorm2x16(a.x), unpackUnorm2x16(a.y));
        base[1] = vec4(unpackUnorm2x16(a.z), unpackUnorm2x16(a.w));
        base[2] = vec4(unpackUnorm2x16(b.x), unpackUnorm2x16(b.y));
        base[3] = vec4(unpackUnorm2x16(b.z), unpackUnorm2x16(b.w));
      }
      for (int k = 0; k < 4; ++k) c[r][k] = shade(vec2(bx + 4 * q + k, by + r) + 0.5, base[k]);
      if (WRITE_ACC) {
        const uvec4 a = uvec4(packUnorm2x16(c[r][0].rg), packUnorm2x16(c[r][0].ba), packUnorm2x16(c[r][1].rg), packUnorm2x16(c[r][1].ba));
        const uvec4 b = uvec4(packUnorm2x16(c[r][2].rg), packUnorm2x16(c[r][2].ba), packUnorm2x16(c[r][3].rg), packUnorm2x16(c[r][3].ba));
        acc[ai] = a;
        acc[ai + 1] = b;
        fold ^= a ^ b;
      } else if (WANT_RGBA) {
        const uvec4 a = uvec4(packUnorm4x8(c[r][0]), packUnorm4x8(c[r][1]), packUnorm4x8(c[r][2]), packUnorm4x8(c[r][3]));
        rgba_out[((by + r) * pc.dims.w + bx) / 4 + q] = a;
        fold ^= a;
      }
    }
    if (nv12) {
      vec3 a[4], b[4], vs[4];
      uint w0 = 0u, w1 = 0u;
      for (int k = 0; k < 4; ++k) {
        a[k] = to8(c[0][k]);
        b[k] = to8(c[1][k]);
        vs[k] = a[k] + b[k];
        w0 |= luma(a[k]) << (8 * k);
        w1 |= luma(b[k]) << (8 * k);
      }
      y0[q] = w0;
      y1[q] = w1;
      uv[q] = chroma8(prev + 2.0 * vs[0] + vs[1]) | (chroma8(vs[1] + 2.0 * vs[2] + vs[3]) << 16);
      prev = vs[3];
    }
  }
  if (nv12) {
    const int stride = pc.dims.z;  // bytes per row, a multiple of 16
    nv12_out[(by * stride + bx) / 16] = y0;
    nv12_out[((by + 1) * stride + bx) / 16] = y1;
    nv12_out[(stride * pc.dims.y + (by / 2) * stride + bx) / 16] = uv;
  }
  // On CPU drivers each store above is a loop over the SIMD lanes. The accumulator and RGBA8
  // words are also folded into one that is never stored (pc.tile.w is 0): with that second use,
  // LLVM (lavapipe) keeps their packing vectorised instead of redoing it lane by lane inside
  // those loops.
  if ((WRITE_ACC || WANT_RGBA) && pc.tile.w != 0) rgba_out[0] = fold;
}
