// The interface every effect pass shares (src/gpu/effects/effect_chain.cpp; user shaders get the
// same from custom_shader.cpp): one input image sampled through an affine map, one RGBA16F output,
// a 256-byte parameter block. Colours are premultiplied RGBA in 0..1, sRGB-encoded.
layout(local_size_x = 16, local_size_y = 16) in;
layout(binding = 0) uniform sampler2D src;                 // premultiplied input, transparent outside
layout(binding = 1, rgba16f) uniform writeonly image2D dst;
layout(std140, binding = 2) uniform Params { vec4 p[16]; } P;
layout(binding = 3) uniform sampler2D src2;                // a second input (drop shadow, glow)
layout(std430, binding = 4) readonly buffer Table { float table[]; };  // LUT entries
layout(push_constant) uniform Push {
  vec4 map_u;  // output pixel centre (x, y) -> input u = dot(map_u.xyz, (x, y, 1)); .w: input LOD
  vec4 map_v;  // ... v = dot(map_v.xyz, (x, y, 1))
  ivec4 size;  // output width, height
} pc;

vec2 src_uv(vec2 p) { vec3 q = vec3(p, 1.0); return vec2(dot(pc.map_u.xyz, q), dot(pc.map_v.xyz, q)); }
vec4 fetch(vec2 uv) { return textureLod(src, uv, pc.map_u.w); }
vec4 unpremultiply(vec4 c) { return c.a > 0.0 ? vec4(c.rgb / c.a, c.a) : vec4(0.0); }

// The output pixel of this invocation, or false when it lies outside the image.
bool output_pixel(out ivec2 p) {
  p = ivec2(gl_GlobalInvocationID.xy);
  return all(lessThan(p, pc.size.xy));
}
