#version 450
#extension GL_GOOGLE_include_directive : require
// Fills the accumulator with the (premultiplied) background colour.
#include "common.glsl"
layout(local_size_x = 16, local_size_y = 16) in;
void main() {
  ivec2 p = ivec2(gl_GlobalInvocationID.xy);
  if (p.x < pc.dims.x && p.y < pc.dims.y) imageStore(acc, p, pc.background);
}
