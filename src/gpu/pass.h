// The render passes of one frame. A frame is recorded by running its passes in order into the
// slot's command buffer; passes hand images to each other through Frame::textures.
//
// How to add a pass (an effect, a nested scene, a mask, ...):
//  1. Derive from Pass; own your ComputeProgram(s) (compute_program.h) and any per-slot buffers
//     (a vector indexed by Frame::slot_index, as ConvertPass and CompositePass do).
//  2. In record(): take an output image from f.slot.images().acquire(...) (pooled per slot,
//     reused from frame to frame), allocate descriptor sets with f.slot.allocate(...), record
//     your dispatches into f.cmd, and leave the image in SHADER_READ_ONLY_OPTIMAL with a barrier
//     to the compute stage.
//  3. Replace f.textures[n] for the layer you rendered: the final CompositePass (tiled, straight
//     to NV12/RGBA) samples whatever f.textures holds, so tiling and the single-pass fast path of
//     layers without effects are untouched.
//  4. Insert the pass between ConvertPass and CompositePass in Compositor::submit; a per-layer
//     pass (an effect) goes into RenderGraph's per-draw preparation instead (render_graph.h).
// A pass may run more than once per frame (once per nested draw list: a sub-frame shares the
// slot and command buffer): per-slot buffers written on the CPU then come from PerFrameSets.
#pragma once
#include <cstddef>
#include <vector>

#include "gpu/frame_slot.h"
#include "gpu/layers.h"

namespace reelforge {

// What the final pass samples for one drawn layer.
struct Texture {
  const Image* image = nullptr;  // premultiplied RGBA8 with its mip chain; nullptr: a solid colour
  bool opaque = false;           // every texel has alpha 1 (lets tiling skip the layers below)
  Orientation orientation;       // display orientation of the texels (rotation/flip of the source)
};

class NodeRenderer;

// One draw list being prepared and composited: the frame's own, or a nested one (a sub-frame:
// same slot and command buffer, the nested timeline's draws and sources).
struct Frame {
  VkContext& ctx;
  FrameSlot& slot;
  size_t slot_index = 0;
  VkCommandBuffer cmd = VK_NULL_HANDLE;
  // Bottom to top; this frame's copy: a pass may change a draw's placement (an effect grows it).
  std::vector<LayerDraw> draws;
  const std::vector<LayerSource>& sources;  // indexed by LayerDraw::layer
  std::vector<Texture> textures;            // per draw
  bool want_rgba = false, want_nv12 = true;
  // The render-draws-into-an-image primitive, for passes that need one (node_renderer.h).
  NodeRenderer* nodes = nullptr;
};

class Pass {
 public:
  virtual ~Pass() = default;
  // Records this pass's work for frame `f` into f.cmd (CPU-side uploads and parameters included).
  virtual void record(Frame& f) = 0;
};

}  // namespace reelforge
