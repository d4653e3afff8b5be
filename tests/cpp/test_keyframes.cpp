// VP9 key frame detection for the segment join (src/export/keyframes.h), on uncompressed headers
// written bit by bit from the VP9 bitstream spec, section 6.2.
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "export/keyframes.h"

using reelforge::vp9_starts_with_key_frame;

namespace {
// frame_marker(2)=2, profile_low, profile_high, [reserved_zero for profile 3], show_existing,
// frame_type, show_frame=1, error_resilient=0, then the sync code and some payload.
std::vector<uint8_t> header(unsigned profile, unsigned show_existing, unsigned frame_type, bool sync_ok = true) {
  std::vector<int> bits = {1, 0, int(profile & 1), int(profile >> 1)};
  if (profile == 3) bits.push_back(0);
  bits.insert(bits.end(), {int(show_existing), int(frame_type), 1, 0});
  const uint32_t sync = sync_ok ? 0x498342u : 0x498343u;
  for (int k = 23; k >= 0; --k) bits.push_back(int((sync >> k) & 1));
  while (bits.size() % 8) bits.push_back(0);
  std::vector<uint8_t> out(bits.size() / 8, 0);
  for (size_t i = 0; i < bits.size(); ++i) out[i / 8] |= uint8_t(bits[i] << (7 - i % 8));
  out.insert(out.end(), {0x12, 0x34, 0x56});
  return out;
}
}  // namespace

TEST_CASE("vp9 key frames are recognised in every profile") {
  for (unsigned profile = 0; profile < 4; ++profile) {
    const auto h = header(profile, 0, 0);
    CHECK(vp9_starts_with_key_frame(h.data(), h.size()));
  }
  const auto h = header(0, 0, 0);
  CHECK(h[0] == 0x82);  // what libvpx writes first for a profile-0 key frame
  CHECK(h[1] == 0x49);
}

TEST_CASE("inter frames, repeated frames, bad sync codes and short data are not key frames") {
  auto inter = header(0, 0, 1);
  CHECK_FALSE(vp9_starts_with_key_frame(inter.data(), inter.size()));
  auto repeat = header(0, 1, 0);
  CHECK_FALSE(vp9_starts_with_key_frame(repeat.data(), repeat.size()));
  auto bad_sync = header(1, 0, 0, false);
  CHECK_FALSE(vp9_starts_with_key_frame(bad_sync.data(), bad_sync.size()));
  auto key = header(0, 0, 0);
  key[0] = uint8_t(key[0] & 0x3f);  // frame_marker 0
  CHECK_FALSE(vp9_starts_with_key_frame(key.data(), key.size()));
  const uint8_t two[] = {0x82, 0x49};
  CHECK_FALSE(vp9_starts_with_key_frame(two, sizeof two));
  CHECK_FALSE(vp9_starts_with_key_frame(nullptr, 0));
}
