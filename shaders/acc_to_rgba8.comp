#version 450
#extension GL_GOOGLE_include_directive : require
// Accumulator -> packed premultiplied RGBA8 words (row-major, width*4 bytes per row) for readback.
#include "common.glsl"
layout(local_size_x = 16, local_size_y = 16) in;
void main() {
  ivec2 p = ivec2(gl_GlobalInvocationID.xy);
  if (p.x >= pc.dims.x || p.y >= pc.dims.y) return;
  rgba_words[p.y * pc.dims.x + p.x] = packUnorm4x8(clamp(imageLoad(acc, p), 0.0, 1.0));
}
