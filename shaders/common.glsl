// Declarations shared by every compute shader: one descriptor set layout and one push-constant
// block for all pipelines (src/gpu/compositor.cpp).

// Per-layer parameters for one frame (std430, 144 bytes).
struct LayerParams {
  vec4 inv0;    // xyz: canvas pixel -> layer-local x (a, b, c); w: canvas pixels per local unit along x
  vec4 inv1;    // xyz: canvas pixel -> layer-local y (d, e, f); w: canvas pixels per local unit along y
  vec4 size;    // x, y: layer size in local units; z: opacity
  vec4 color;   // solid colour, premultiplied
  vec4 clip;    // visible local rectangle (after crop): x0, y0, x1, y1
  vec4 reserved;
  vec4 yuv_r;   // rgb = (dot(yuv_r, v), dot(yuv_g, v), dot(yuv_b, v)) with v = (y, u, v, 1)
  vec4 yuv_g;
  vec4 yuv_b;
};

// Premultiplied RGBA accumulator (16-bit float: no rounding between layers).
layout(binding = 0, rgba16f) uniform image2D acc;
layout(binding = 1) uniform texture2D tex0;  // RGBA image, or Y plane
layout(binding = 2) uniform texture2D tex1;  // Cb plane
layout(binding = 3) uniform texture2D tex2;  // Cr plane
layout(binding = 4) uniform texture2D tex3;  // alpha plane
layout(binding = 5) uniform sampler bilinear;
layout(binding = 9) uniform texture2D tex_rgba;              // video layer converted to RGBA
layout(binding = 10, rgba8) uniform writeonly image2D rgba_out;  // the same image, written by yuv_to_rgba
// This dispatch's layer, through a dynamic uniform-buffer offset: uniform loads are scalar on CPU
// drivers, where a storage-buffer struct load costs a gather per lane.
layout(std140, binding = 6) uniform LayerBlock { LayerParams layer; };
layout(std430, binding = 7) writeonly buffer Nv12 { uint nv12_words[]; };
layout(std430, binding = 8) writeonly buffer Rgba8 { uint rgba_words[]; };

layout(push_constant) uniform Push {
  vec4 background;  // premultiplied RGBA
  ivec4 dims;       // width, height, unused, NV12 row stride in bytes (multiple of 4)
  ivec4 origin;     // xy: top-left canvas pixel of this dispatch (layer bounding box)
} pc;
