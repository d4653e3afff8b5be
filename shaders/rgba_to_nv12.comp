#version 450
#extension GL_GOOGLE_include_directive : require
// Accumulator (premultiplied, i.e. composited over black) -> NV12, ITU-R BT.709 matrix, limited range:
//   Y = 16 + 219 Y',  Cb = 128 + 224 (B' - Y') / 1.8556,  Cr = 128 + 224 (R' - Y') / 1.5748,
//   Y' = 0.2126 R' + 0.7152 G' + 0.0722 B'  (BT.709-6 item 3), chroma from the 2x2 average.
// Colour values are first rounded to 8 bits, as for an RGBA8 frame, so NV12 matches render_frame.
// One invocation writes a 4x2 pixel block: two 32-bit words of Y and one word of interleaved CbCr.
#include "common.glsl"

layout(local_size_x = 8, local_size_y = 8) in;

const vec3 KY = vec3(0.2126, 0.7152, 0.0722);

uint luma(vec3 rgb) { return uint(floor(16.0 + 219.0 * dot(KY, rgb) + 0.5)); }

uvec2 chroma(vec3 rgb) {
  float y = dot(KY, rgb);
  return uvec2(floor(vec2(128.0 + 224.0 * (rgb.b - y) / 1.8556, 128.0 + 224.0 * (rgb.r - y) / 1.5748) + 0.5));
}

vec3 px(int x, int y) {
  vec3 v = clamp(imageLoad(acc, ivec2(min(x, pc.dims.x - 1), y)).rgb, 0.0, 1.0);
  return floor(v * 255.0 + 0.5) / 255.0;
}

void main() {
  int bx = int(gl_GlobalInvocationID.x) * 4, by = int(gl_GlobalInvocationID.y) * 2;
  if (bx >= pc.dims.x || by >= pc.dims.y) return;
  int stride = pc.dims.w;
  vec3 r0[4], r1[4];
  for (int k = 0; k < 4; ++k) { r0[k] = px(bx + k, by); r1[k] = px(bx + k, by + 1); }
  uint w0 = 0u, w1 = 0u;
  for (int k = 0; k < 4; ++k) { w0 |= luma(r0[k]) << (8 * k); w1 |= luma(r1[k]) << (8 * k); }
  nv12_words[(by * stride + bx) / 4] = w0;
  nv12_words[((by + 1) * stride + bx) / 4] = w1;
  uvec2 c0 = chroma((r0[0] + r0[1] + r1[0] + r1[1]) * 0.25);
  uvec2 c1 = chroma((r0[2] + r0[3] + r1[2] + r1[3]) * 0.25);
  int uv_offset = stride * pc.dims.y + (by / 2) * stride + bx;
  nv12_words[uv_offset / 4] = c0.x | (c0.y << 8) | (c1.x << 16) | (c1.y << 24);
}
