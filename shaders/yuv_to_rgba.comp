#version 450
// Converts one video frame's planes (8-bit Y, Cb, Cr 4:2:0 [, A]) to premultiplied RGBA8, with
// the source's matrix and range (push constants), so that compositing samples one RGBA8 texture:
// bilinear RGBA8 sampling is the fast path of CPU Vulkan drivers, while sampling three 8-bit
// planes per output pixel costs several times more there.
//
// DIV = 1: at the source's own size; chroma upsampled bilinearly from its samples, sited as the
// frame says (AVFrame.chroma_location): centre (MPEG-1/JPEG: weights 3/4, 1/4 in each direction)
// or left (MPEG-2/H.264: co-sited with the even luma columns, vertically centred); edges repeat. DIV = 2 or 4 (a layer shown at half or a
// quarter of its size or less): at 1/DIV of the size, each pixel the box average of its DIV x DIV
// luma (and alpha) samples and of the (DIV/2)^2 chroma samples centred on the same spot: a
// pre-filter against the aliasing of bilinear downscaling, and DIV^2 fewer pixels to convert.
//
// The planes are read from the frame's upload staging as 16-byte texels of a uniform texel buffer
// (RGBA32UI): CPU drivers fetch those for all SIMD lanes at once, where a storage-buffer load
// whose address differs between invocations is a loop over the lanes (measured on lavapipe: a
// 720p frame converted and composited in 4.36 ms instead of 4.75). src/gpu/convert_pass.cpp lays each row out padded to a multiple of
// 16 * DIV bytes, plus one more chroma sample, with the last sample repeated into the padding, so
// that reads past the right edge see the edge value. One invocation writes a 16x2 block of output
// pixels.
layout(local_size_x = 8, local_size_y = 8) in;
#extension GL_GOOGLE_include_directive : require
#include "spec_ids.glsl"
// Ids in spec_ids.glsl, mirrored by ConvertSpec (src/gpu/spec_constants.h).
layout(constant_id = CONVERT_ALPHA) const bool ALPHA = false;  // yuva420p: a full-size alpha plane
layout(constant_id = CONVERT_DIV) const int DIV = 1;           // 1, 2 or 4
layout(constant_id = CONVERT_CHROMA_LEFT) const bool CHROMA_LEFT = false;  // chroma sited left, else centre

const int C_PER = DIV == 4 ? 2 : 1;  // chroma samples per output pixel along x (DIV > 1)

layout(binding = 0) uniform usamplerBuffer planes;  // 16 plane bytes per texel
layout(std430, binding = 1) writeonly buffer Out { uvec4 rgba_out[]; };  // premultiplied RGBA8

layout(push_constant) uniform Push {
  vec4 mr, mg, mb;  // (r, g, b) = (dot(mr, v), dot(mg, v), dot(mb, v)) with v = (y, cb, cr, 1) in 0..1
  ivec4 size;       // source width, height, luma/alpha row stride (bytes), chroma row stride (bytes)
  ivec4 offsets;    // Y, Cb, Cr, A plane offsets in bytes (multiples of 16)
  ivec4 out_;       // x: first output pixel; y: output row stride (pixels); z: 0 (see the end of main)
} pc;

uint byte_at(uint word, int i) { return (word >> (8 * i)) & 0xffu; }
uvec4 words4(int i) { return texelFetch(planes, i); }  // plane bytes 16i .. 16i + 15

// Samples 8i-1 .. 8i+8 of chroma row `row` of the plane at byte offset `off`, from two 16-byte
// loads (rows start on 16-byte boundaries): the one holding samples 8i .. 8i+7, and the one before
// it (i even: sample 8i-1) or after it (i odd: sample 8i+8).
uint byte_of(uvec4 q, int b) { return byte_at(q[b >> 2], b & 3); }
void chroma_row(int off, int row, int i, out float c[10]) {
  const int first = (off + row * pc.size.w) / 16;  // 16 bytes holding sample 0
  const int at = first + i / 2;                    // 16 bytes holding sample 8i
  const bool odd = (i & 1) != 0;
  const uvec4 q = words4(at);
  const uvec4 e = words4(odd ? at + 1 : max(at - 1, first));
  const int b = odd ? 8 : 0;  // byte of sample 8i in q
  for (int k = 0; k < 8; ++k) c[1 + k] = float(byte_of(q, b + k));
  c[0] = float(odd ? byte_of(q, 7) : i == 0 ? byte_of(q, 0) : byte_of(e, 15));
  c[9] = float(odd ? byte_of(e, 0) : byte_of(q, 8));
}

// Chroma of the block's 16 columns on its two luma rows, upsampled from chroma row j.
void upsample(int off, int i, int j, out float top[16], out float bot[16]) {
  float a[10], b[10], c[10];
  chroma_row(off, max(j - 1, 0), i, a);
  chroma_row(off, j, i, b);
  chroma_row(off, min(j + 1, pc.size.y / 2 - 1), i, c);
  float t[10], u[10];
  for (int k = 0; k < 10; ++k) {
    t[k] = 0.75 * b[k] + 0.25 * a[k];
    u[k] = 0.75 * b[k] + 0.25 * c[k];
  }
  for (int m = 0; m < 8; ++m) {
    if (CHROMA_LEFT) {  // sample m sits on luma column 2m: exact there, halfway to the next one
      top[2 * m] = t[m + 1];
      top[2 * m + 1] = 0.5 * (t[m + 1] + t[m + 2]);
      bot[2 * m] = u[m + 1];
      bot[2 * m + 1] = 0.5 * (u[m + 1] + u[m + 2]);
    } else {  // sample m sits between luma columns 2m and 2m + 1
      top[2 * m] = 0.75 * t[m + 1] + 0.25 * t[m];
      top[2 * m + 1] = 0.75 * t[m + 1] + 0.25 * t[m + 2];
      bot[2 * m] = 0.75 * u[m + 1] + 0.25 * u[m];
      bot[2 * m + 1] = 0.75 * u[m + 1] + 0.25 * u[m + 2];
    }
  }
}

vec4 to_rgba(float y, float cb, float cr, float a) {  // 8-bit values -> premultiplied 0..1
  const vec4 v = vec4(y, cb, cr, 255.0) * (1.0 / 255.0);
  const vec3 rgb = clamp(vec3(dot(pc.mr, v), dot(pc.mg, v), dot(pc.mb, v)), 0.0, 1.0);
  return ALPHA ? vec4(rgb * (a * (1.0 / 255.0)), a * (1.0 / 255.0)) : vec4(rgb, 1.0);
}

// Sums of 16 runs of n consecutive bytes from byte offset `at` (a multiple of 16): n = 1, 2 or 4.
void box_row(int at, int n, inout float sums[16]) {
  for (int w = 0; w < n; ++w) {
    const uvec4 q = words4(at / 16 + w);
    for (int b = 0; b < 16; ++b) sums[(w * 16 + b) / n] += float(byte_at(q[b / 4], b % 4));
  }
}

// Left-sited chroma: the area average over each output pixel's 2C luma columns, each chroma
// sample covering the two luma columns around its own (weights 3/4, 1/4 for C = 1; 3/8, 4/8,
// 1/8 for C = 2), from 16C + 1 samples starting at byte offset `at` (a multiple of 16).
void left_row(int at, inout float sums[16]) {
  float v[33];
  for (int w = 0; w < C_PER; ++w) {
    const uvec4 q = words4(at / 16 + w);
    for (int b = 0; b < 16; ++b) v[w * 16 + b] = float(byte_at(q[b / 4], b % 4));
  }
  v[16 * C_PER] = float(byte_at(words4(at / 16 + C_PER).x, 0));
  for (int k = 0; k < 16; ++k)
    sums[k] += C_PER == 1 ? 0.75 * v[k] + 0.25 * v[k + 1]
                          : 0.375 * v[2 * k] + 0.5 * v[2 * k + 1] + 0.125 * v[2 * k + 2];
}

void main() {
  const int i = int(gl_GlobalInvocationID.x), j = int(gl_GlobalInvocationID.y);
  const int x0 = i * 16, y0 = j * 2;  // output pixels
  const int out_w = pc.size.x / DIV, out_h = pc.size.y / DIV;
  if (x0 >= out_w || y0 >= out_h) return;
  uvec4 px[2][4];
  if (DIV == 1) {
    float cb[2][16], cr[2][16];
    upsample(pc.offsets.y, i, j, cb[0], cb[1]);
    upsample(pc.offsets.z, i, j, cr[0], cr[1]);
    for (int r = 0; r < 2; ++r) {
      const int row = (y0 + r) * pc.size.z + x0;
      const uvec4 yw = words4((pc.offsets.x + row) / 16);
      const uvec4 aw = ALPHA ? words4((pc.offsets.w + row) / 16) : uvec4(0);
      for (int k = 0; k < 16; ++k)
        px[r][k / 4][k % 4] = packUnorm4x8(to_rgba(float(byte_at(yw[k / 4], k % 4)), cb[r][k], cr[r][k],
                                                   float(byte_at(aw[k / 4], k % 4))));
    }
  } else {
    const int C = DIV / 2;  // chroma samples per output pixel along each axis
    for (int r = 0; r < 2; ++r) {
      float ys[16], as_[16], cbs[16], crs[16];
      for (int k = 0; k < 16; ++k) ys[k] = as_[k] = cbs[k] = crs[k] = 0.0;
      for (int d = 0; d < DIV; ++d) {
        const int row = ((y0 + r) * DIV + d) * pc.size.z + x0 * DIV;
        box_row(pc.offsets.x + row, DIV, ys);
        if (ALPHA) box_row(pc.offsets.w + row, DIV, as_);
      }
      for (int d = 0; d < C; ++d) {
        const int row = ((y0 + r) * C + d) * pc.size.w + x0 * C;
        if (CHROMA_LEFT) {
          left_row(pc.offsets.y + row, cbs);
          left_row(pc.offsets.z + row, crs);
        } else {
          box_row(pc.offsets.y + row, C, cbs);
          box_row(pc.offsets.z + row, C, crs);
        }
      }
      const float ln = 1.0 / float(DIV * DIV), cn = CHROMA_LEFT ? 1.0 / float(C) : 1.0 / float(C * C);
      for (int k = 0; k < 16; ++k)
        px[r][k / 4][k % 4] = packUnorm4x8(to_rgba(ys[k] * ln, cbs[k] * cn, crs[k] * cn, as_[k] * ln));
    }
  }
  // On CPU drivers each store is a loop over the SIMD lanes. The texels are also folded into a
  // word that is never stored (pc.out_.z is 0): with that second use, LLVM (lavapipe) keeps their
  // packing vectorised instead of redoing it lane by lane inside those loops (measured with LLVM
  // 15: 17 % of a 720p conversion).
  uvec4 fold = uvec4(0);
  for (int r = 0; r < 2; ++r) {
    const int o = (pc.out_.x + (y0 + r) * pc.out_.y + x0) / 4;
    for (int q = 0; q < 4; ++q) {
      rgba_out[o + q] = px[r][q];
      fold ^= px[r][q];
    }
  }
  if (pc.out_.z != 0) rgba_out[pc.out_.x / 4] = fold;
}
