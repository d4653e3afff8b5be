#version 450
// Applies a mask to a layer's texture (src/gpu/mask_pass.*). The mask was rendered into an image
// of the texture's size, texel for texel over the same canvas points. Its matte (W3C CSS Masking
// Level 1, mask-mode): alpha, or luminance 0.2125 R + 0.7154 G + 0.0721 B of the premultiplied
// (sRGB-encoded) colour, i.e. luminance x alpha; optionally inverted (1 - m). Feathering blurs
// the matte with a normalised Gaussian of standard deviation sigma texels, taps out to 3 sigma,
// edges clamped, as two separable passes through a float buffer:
//   STAGE 0: matte, blurred along x -> tmp;   STAGE 1: tmp blurred along y, x content -> out;
//   STAGE 2 (no feather): matte x content -> out.
// Output: premultiplied RGBA8 texels, one uint per texel, rows of pc.size.x.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_samplerless_texture_functions : require
#include "spec_ids.glsl"

layout(local_size_x = 16, local_size_y = 8) in;
layout(constant_id = MASK_STAGE) const int STAGE = 2;
layout(constant_id = MASK_LUMA) const bool LUMA = false;
layout(constant_id = MASK_INVERT) const bool INVERT = false;

layout(binding = 0) uniform texture2D content;
layout(binding = 1) uniform texture2D mask_image;
layout(std430, binding = 2) buffer Tmp { float tmp[]; };
layout(std430, binding = 3) writeonly buffer Out { uint out_px[]; };

layout(push_constant) uniform Push {
  ivec4 size;  // width, height, taps each side
  vec4 blur;   // x: sigma (texels)
} pc;

float matte(ivec2 p) {
  const vec4 m = texelFetch(mask_image, clamp(p, ivec2(0), pc.size.xy - 1), 0);
  const float v = LUMA ? clamp(dot(vec3(0.2125, 0.7154, 0.0721), m.rgb), 0.0, 1.0) : m.a;
  return INVERT ? 1.0 - v : v;
}

float weight(int i) { return exp(-float(i * i) / (2.0 * pc.blur.x * pc.blur.x)); }

void main() {
  const ivec2 p = ivec2(gl_GlobalInvocationID.xy);
  if (p.x >= pc.size.x || p.y >= pc.size.y) return;
  const int w = pc.size.x, h = pc.size.y, taps = pc.size.z;
  if (STAGE == 0) {
    float sum = 0.0, norm = 0.0;
    for (int i = -taps; i <= taps; ++i) {
      const float k = weight(i);
      sum += k * matte(p + ivec2(i, 0));
      norm += k;
    }
    tmp[p.y * w + p.x] = sum / norm;
    return;
  }
  float m;
  if (STAGE == 1) {
    float sum = 0.0, norm = 0.0;
    for (int i = -taps; i <= taps; ++i) {
      const float k = weight(i);
      sum += k * tmp[clamp(p.y + i, 0, h - 1) * w + p.x];
      norm += k;
    }
    m = sum / norm;
  } else {
    m = matte(p);
  }
  out_px[p.y * w + p.x] = packUnorm4x8(texelFetch(content, p, 0) * m);
}
