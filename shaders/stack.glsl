// Declarations of composite.comp, mirrored by src/gpu/composite_pass.cpp (one descriptor set layout).
#include "spec_ids.glsl"
#define MAX_STACK COMPOSITE_MAX_STACK

// One layer of the stack for one frame (std140, 64 bytes). Canvas point p -> normalised texture
// coordinate uv = (dot(u.xy, p) + u.z, dot(v.xy, p) + v.z).
struct LayerParams {
  vec4 u;      // xyz: the map's first row; w: canvas pixels per unit of uv.x (for edge coverage)
  vec4 v;      // xyz: second row; w: canvas pixels per unit of uv.y
  vec4 clip;   // visible uv rectangle after crop: u0, v0, u1, v1
  vec4 color;  // multiplies the source: premultiplied colour x opacity (solid), opacity (texture)
};

layout(std430, binding = 0) writeonly buffer Nv12 { uvec4 nv12_out[]; };
layout(std430, binding = 1) writeonly buffer Rgba8 { uvec4 rgba_out[]; };
layout(std430, binding = 2) readonly buffer Tiles { uint tiles[]; };  // tile x | y << 16
// The pass's layers, through a dynamic uniform-buffer offset: constant-offset uniform loads are
// scalar on CPU drivers, where a storage-buffer load costs a loop over the lanes.
// Rounded corners and border of a styled layer (kind_blend flag 64), read only on that path.
struct LayerStyle {
  vec4 shape;   // xy: layer-local units per unit of uv.x, uv.y; z: corner radius; w: border width (local units)
  vec4 border;  // premultiplied border colour x opacity
};
layout(std140, binding = 3) uniform Stack { LayerParams layers[MAX_STACK]; LayerStyle styles[MAX_STACK]; } stack;
layout(binding = 4) uniform sampler bilinear;
layout(binding = 5) uniform texture2D tex[MAX_STACK];  // premultiplied RGBA8, indexed by constants
layout(std430, binding = 6) buffer Acc { uvec4 acc[]; };  // 16-bit unorm RGBA, 2 pixels per uvec4

layout(push_constant) uniform Push {
  vec4 background;  // premultiplied RGBA
  ivec4 dims;       // width, height, NV12 row stride (bytes), RGBA row stride (pixels)
  ivec4 tile;       // x: first entry of this dispatch in `tiles`; y: accumulator row stride (pixels);
                    // z: first uvec4 of the accumulator's tile-edge columns (16 entries per tile);
                    // w: 0 (see the end of composite.comp's main)
} pc;
