#include "gpu/slot_uses.h"

#include <algorithm>
#include <string>

#include "util/errors.h"

namespace reelforge {

SlotUses::SlotUses(int slots) : serials_(size_t(std::max(slots, 0))), began_(serials_.size(), 0) {
  if (slots < 1 || slots > 32) throw Error("SlotUses: 1..32 slots, got " + std::to_string(slots));
}

bool SlotUses::begin(size_t slot, uint64_t serial) {
  if (began_.at(slot) && serials_[slot] == serial) return false;  // another draw list of the same frame
  serials_[slot] = serial;
  began_[slot] = ++clock_;  // the slot's previous frame's uses, recorded at its older clock, end
  return true;
}

void SlotUses::use(Uses& u, size_t slot) const {
  if (!began_.at(slot)) throw Error("SlotUses: slot " + std::to_string(slot) + " used before its first frame");
  u.frames_.resize(began_.size(), 0);
  u.frames_[slot] = began_[slot];
  u.last_use_ = clock_;
}

bool SlotUses::in_use(const Uses& u) const {
  for (size_t k = 0; k < u.frames_.size(); ++k)
    if (u.frames_[k] && u.frames_[k] == began_[k]) return true;
  return false;
}

}  // namespace reelforge
