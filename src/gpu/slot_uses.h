// When an entry of a cache shared by a compositor's slots (ConvertCache, StaticImages) may be
// rewritten or freed: it is in use while a frame in flight uses it, a frame recorded into a slot
// that has not begun its next frame (FrameSlot::begin waits for the previous one, so a slot's uses
// end when its serial moves on), and it is idle once nobody used it for more than kIdleFrames
// frames and no frame in flight uses it. The rule only: the caches own their entries, each of
// which holds its SlotUses::Uses.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace reelforge {

// Frames an unused cached image is kept: the caches here and the per-slot ImagePool and
// GeneratedPass (whose images only their own slot's previous, finished frame used).
inline constexpr uint64_t kIdleFrames = 30;

class SlotUses {
 public:
  // One entry's uses, kept in the entry; read through SlotUses.
  class Uses {
   public:
    uint64_t last_use() const { return last_use_; }  // clock() of the last frame that used it (0: none)

   private:
    friend class SlotUses;
    std::vector<uint64_t> frames_;  // per slot: clock() at that slot's last frame that used it (0: none)
    uint64_t last_use_ = 0;
  };

  explicit SlotUses(int slots);  // 1..32 slots (Error otherwise)
  // Frame `serial` (FrameSlot::serial()) of `slot` uses the cache: true when it is a new frame,
  // which advances the clock and ends that slot's previous frame's uses; false for another use
  // within the same frame (nested draw lists).
  bool begin(size_t slot, uint64_t serial);
  // `slot`'s current frame uses the entry (Error if that slot has not begun a frame).
  void use(Uses& u, size_t slot) const;
  bool in_use(const Uses& u) const;  // a frame in flight uses it: it must not be rewritten or freed
  bool idle(const Uses& u) const { return !in_use(u) && clock_ - u.last_use_ > kIdleFrames; }  // may be freed
  uint64_t clock() const { return clock_; }  // new frames seen

 private:
  std::vector<uint64_t> serials_;  // per slot: the serial of its current frame
  std::vector<uint64_t> began_;    // per slot: clock() when its current frame began (0: none yet)
  uint64_t clock_ = 0;
};

}  // namespace reelforge
