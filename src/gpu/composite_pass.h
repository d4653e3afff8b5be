// Final pass: the canvas's tiles are grouped by the layers that touch them (tiling.h) and each
// group's stack is composited by shaders/composite.comp, straight into the slot's NV12 and/or
// RGBA8 output buffers (no intermediate frame). Layers are sampled from Frame::textures, so an
// earlier pass may substitute any layer's texture. Stacks deeper than one dispatch holds go
// through a 16-bit unorm RGBA accumulator, kMaxStack layers per level.
#pragma once
#include <array>
#include <vector>

#include "gpu/compute_program.h"
#include "gpu/pass.h"
#include "gpu/per_frame_sets.h"
#include "gpu/tiling.h"

namespace reelforge {

// Where a composite goes: the slot's outputs (the final pass) or an RGBA8 buffer of an
// intermediate (NodeRenderer), `width` x `height` pixels, rows of `row_pixels` (a multiple of 16).
struct CompositeTarget {
  int width = 0, height = 0, row_pixels = 0;
  std::array<float, 4> background{0, 0, 0, 0};  // premultiplied RGBA
  VkBuffer nv12 = VK_NULL_HANDLE, rgba = VK_NULL_HANDLE;
  bool want_nv12 = false, want_rgba = false;
};

class CompositePass : public Pass {
 public:
  CompositePass(const VkContext& ctx, int width, int height, int row_pixels, std::array<float, 4> background,
                int slots, const Image& dummy, bool rgba_readback);
  void record(Frame& f) override;  // the frame's final composite, into the slot's outputs
  // f's draws composited into `t` (NodeRenderer: an intermediate image's buffer).
  void record(Frame& f, const CompositeTarget& t);

 private:
  struct Dispatch;  // one composite.comp dispatch: part of one tile group's stack
  struct PerSlot;
  std::vector<TileGroup> group(const Frame& f, const CompositeTarget& t) const;
  std::vector<Dispatch> plan(PerSlot& s, const CompositeTarget& t, const std::vector<TileGroup>& groups);
  void write_params(Frame& f, PerSlot& s, const CompositeTarget& t, const std::vector<TileGroup>& groups,
                    std::vector<Dispatch>& dispatches);
  void write_descriptors(Frame& f, const PerSlot& s, const CompositeTarget& t, const std::vector<TileGroup>& groups,
                         std::vector<Dispatch>& dispatches);
  void dispatch(Frame& f, const CompositeTarget& t, const std::vector<TileGroup>& groups,
                const std::vector<Dispatch>& dispatches);

  const VkContext& ctx_;
  int width_, height_, row_pixels_;
  std::array<float, 4> background_;  // straight RGBA
  const Image& dummy_;               // fills unused texture bindings
  bool rgba_readback_;
  VkDeviceSize params_stride_ = 512;  // one dispatch's LayerParams block, aligned for dynamic offsets
  ComputeProgram program_;
  Sampler sampler_;
  Buffer dummy_buffer_;  // fills unused storage-buffer bindings
  struct PerSlot {
    Buffer params;  // host-visible: one LayerParams block per dispatch
    Buffer tiles;   // host-visible: the tile lists of every dispatch
    Buffer acc;     // 16-bit unorm RGBA accumulator, allocated only for stacks deeper than kMaxStack
    bool need_acc = false;
  };
  PerFrameSets<PerSlot> slots_;  // one set per composite within a frame (intermediates, then the final one)
};

}  // namespace reelforge
