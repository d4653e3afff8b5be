// A pass's per-slot state for passes recorded more than once per frame (nested content: each
// nested draw list is converted and composited by the same passes). Within one frame the k-th
// use gets the k-th set, so buffers written on the CPU for one use are not overwritten by the
// next before the GPU has run them; from frame to frame the sets are reused.
#pragma once
#include <memory>
#include <vector>

#include "gpu/frame_slot.h"

namespace reelforge {

template <class T>
class PerFrameSets {
 public:
  explicit PerFrameSets(int slots) : slots_(size_t(slots)) {}
  T& next(const FrameSlot& slot, size_t slot_index) {
    Slot& s = slots_.at(slot_index);
    if (s.serial != slot.serial()) s.serial = slot.serial(), s.used = 0;
    if (s.used == s.sets.size()) s.sets.push_back(std::make_unique<T>());
    return *s.sets[s.used++];
  }

 private:
  struct Slot {
    std::vector<std::unique_ptr<T>> sets;
    size_t used = 0;
    uint64_t serial = ~uint64_t(0);
  };
  std::vector<Slot> slots_;
};

}  // namespace reelforge
