// Uploads the pictures of generated layers (LayerDraw::picture, made on the CPU by the decode
// stage) into textures the final pass samples. A layer's picture is uploaded only when its
// pointer differs from the one this slot's texture holds, so a static shape is uploaded once per
// slot; each slot has its own textures, as a slot's previous frame is the only one that may still
// read them (FrameSlot::begin waited for it).
#pragma once
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "gpu/pass.h"
#include "gpu/per_frame_sets.h"
#include "gpu/slot_uses.h"

namespace reelforge {

class GeneratedPass : public Pass {
 public:
  explicit GeneratedPass(int slots) : slots_(size_t(slots)), staging_(slots) {}
  void record(Frame& f) override;
  uint64_t uploads() const { return uploads_; }  // pictures uploaded so far (tests: reuse)

 private:
  struct Cached {
    std::shared_ptr<const RgbaImage> picture;  // held: its address cannot be reused while cached
    Image image;
    bool opaque = false;
    uint64_t idle = 0;  // the slot's frames since its last draw; freed past kIdleFrames (slot_uses.h)
  };
  struct PerSlot {
    // By source: a nested draw list's layer indices are its own timeline's (Frame::sources).
    std::unordered_map<const LayerSource*, Cached> layers;
    uint64_t last_frame = ~uint64_t(0);  // FrameSlot::serial() of the frame last recorded
  };
  void upload(Frame& f, PerSlot& s, const std::vector<size_t>& changed);

  std::vector<PerSlot> slots_;
  PerFrameSets<Buffer> staging_;  // one staging buffer per use within a frame
  uint64_t uploads_ = 0;
};

}  // namespace reelforge
