#version 450
#extension GL_GOOGLE_include_directive : require
// Converts one video layer's decoded planes (Y, Cb, Cr[, A]) to premultiplied RGBA8 at the source's
// own resolution, with the source's matrix and range (LayerParams.yuv_*). The composite pass then
// samples one RGBA texture instead of three planes per output pixel: cheaper when the layer covers
// more canvas pixels than the source has (upscaling); otherwise composite.comp samples the planes.
// Chroma is upsampled bilinearly (centre-sited); luma and alpha are read 1:1.
#include "common.glsl"

layout(local_size_x = 16, local_size_y = 16) in;
layout(constant_id = 0) const int KIND = 2;  // 2 yuv, 3 yuva

void main() {
  ivec2 p = ivec2(gl_GlobalInvocationID.xy);
  ivec2 size = imageSize(rgba_out);
  if (p.x >= size.x || p.y >= size.y) return;
  vec2 uv = (vec2(p) + 0.5) / vec2(size);
  vec4 yuv = vec4(texelFetch(sampler2D(tex0, bilinear), p, 0).r, textureLod(sampler2D(tex1, bilinear), uv, 0.0).r,
                  textureLod(sampler2D(tex2, bilinear), uv, 0.0).r, 1.0);
  vec3 rgb = clamp(vec3(dot(layer.yuv_r, yuv), dot(layer.yuv_g, yuv), dot(layer.yuv_b, yuv)), 0.0, 1.0);
  float a = KIND == 3 ? texelFetch(sampler2D(tex3, bilinear), p, 0).r : 1.0;
  imageStore(rgba_out, p, vec4(rgb * a, a));
}
