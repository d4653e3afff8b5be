// SlotUses (src/gpu/slot_uses.h), the rule ConvertCache and StaticImages share, against a direct
// statement of it: an entry is in use while one of the frames that used it, (slot, serial), is its
// slot's current frame; it is idle when not in use and more than kIdleFrames new frames began
// since its last use.
#include <doctest/doctest.h>

#include <random>
#include <set>
#include <utility>
#include <vector>

#include "gpu/slot_uses.h"
#include "util/errors.h"

using reelforge::kIdleFrames;
using reelforge::SlotUses;

namespace {

struct Reference {
  std::vector<uint64_t> current;  // per slot: serial of its current frame (0: none yet)
  uint64_t frames = 0;            // new frames begun
  struct Entry {
    std::set<std::pair<size_t, uint64_t>> users;  // (slot, serial) of every frame that used it
    uint64_t last = 0;
  };
  explicit Reference(size_t slots) : current(slots, 0) {}
  bool begin(size_t slot, uint64_t serial) {
    if (current[slot] == serial) return false;
    current[slot] = serial;
    ++frames;
    return true;
  }
  void use(Entry& e, size_t slot) const {
    e.users.insert({slot, current[slot]});
    e.last = frames;
  }
  bool in_use(const Entry& e) const {
    for (size_t k = 0; k < current.size(); ++k)
      if (current[k] && e.users.count({k, current[k]})) return true;
    return false;
  }
  bool idle(const Entry& e) const { return !in_use(e) && frames - e.last > kIdleFrames; }
};

}  // namespace

TEST_CASE("a slot's uses end when that slot begins its next frame, not when another slot does") {
  SlotUses u(2);
  SlotUses::Uses e;
  CHECK(!u.in_use(e));
  CHECK(u.begin(0, 1));
  u.use(e, 0);
  CHECK(u.in_use(e));
  CHECK(u.begin(1, 1));  // slot 1's frames do not wait for slot 0's
  CHECK(u.begin(1, 2));
  CHECK(u.in_use(e));
  CHECK(!u.begin(0, 1));  // another draw list of the same frame: its uses stay
  CHECK(u.in_use(e));
  CHECK(u.clock() == 3);
  CHECK(u.begin(0, 2));
  CHECK(!u.in_use(e));
}

TEST_CASE("an entry two slots' frames use stays in use until both have moved on") {
  SlotUses u(3);
  SlotUses::Uses e;
  u.begin(0, 1);
  u.use(e, 0);
  u.begin(2, 1);
  u.use(e, 2);
  u.begin(0, 2);
  CHECK(u.in_use(e));
  u.begin(2, 2);
  CHECK(!u.in_use(e));
}

TEST_CASE("an entry is idle after more than kIdleFrames frames without a use, and never while in use") {
  SlotUses u(2);
  SlotUses::Uses held, young;
  u.begin(0, 1);
  u.use(held, 0);
  CHECK(held.last_use() == 1);
  uint64_t s1 = 0;  // slot 1's serial
  for (uint64_t k = 0; k <= kIdleFrames; ++k) u.begin(1, ++s1);  // slot 0's frame stays in flight
  CHECK(u.clock() - held.last_use() > kIdleFrames);
  CHECK(u.in_use(held));
  CHECK(!u.idle(held));
  u.begin(0, 2);  // it finished
  CHECK(u.idle(held));
  u.use(young, 1);
  for (uint64_t k = 0; k < kIdleFrames; ++k) u.begin(1, ++s1);
  CHECK(!u.in_use(young));
  CHECK(u.clock() - young.last_use() == kIdleFrames);
  CHECK(!u.idle(young));  // exactly kIdleFrames frames: kept
  u.begin(1, ++s1);
  CHECK(u.idle(young));
  u.use(young, 0);  // a use makes it young again
  CHECK(!u.idle(young));
}

TEST_CASE("bad slots are refused") {
  CHECK_THROWS_AS(SlotUses(0), reelforge::Error);
  CHECK_THROWS_AS(SlotUses(33), reelforge::Error);
  SlotUses u(2);
  SlotUses::Uses e;
  CHECK_THROWS_AS(u.use(e, 0), reelforge::Error);  // before the slot's first frame
  CHECK_THROWS_AS(u.begin(2, 1), std::out_of_range);
}

TEST_CASE("random frames, uses and repeated begins match the reference") {
  std::mt19937 rng(7);
  for (size_t slots : {1u, 2u, 3u, 5u}) {
    SlotUses u{int(slots)};
    Reference ref(slots);
    std::vector<SlotUses::Uses> got(6);
    std::vector<Reference::Entry> want(6);
    std::vector<uint64_t> serial(slots, 0);
    size_t in_use = 0, idle = 0, neither = 0;  // the states seen: the run must reach them all
    for (int step = 0; step < 4000; ++step) {
      const size_t slot = rng() % slots;
      const bool again = serial[slot] && rng() % 4 == 0;  // another use within the same frame
      if (!again) ++serial[slot];
      REQUIRE(u.begin(slot, serial[slot]) == ref.begin(slot, serial[slot]));
      // Uses grow sparse with the entry's index, so some entries go idle for long stretches.
      for (size_t n = 0; n < got.size(); ++n)
        if (rng() % (1u + 20u * n * n) == 0) u.use(got[n], slot), ref.use(want[n], slot);
      for (size_t n = 0; n < got.size(); ++n) {
        REQUIRE(u.in_use(got[n]) == ref.in_use(want[n]));
        REQUIRE(u.idle(got[n]) == ref.idle(want[n]));
        REQUIRE(got[n].last_use() == want[n].last);
        const bool busy = ref.in_use(want[n]), gone = ref.idle(want[n]);
        in_use += busy, idle += gone, neither += !busy && !gone;
      }
      REQUIRE(u.clock() == ref.frames);
    }
    CHECK(in_use > 0);
    CHECK(idle > 0);
    CHECK(neither > 0);
  }
}
