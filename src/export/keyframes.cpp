#include "export/keyframes.h"

namespace reelforge {

namespace {
// MSB-first bit reader over a byte buffer; reading past the end yields false via ok().
class Bits {
 public:
  Bits(const uint8_t* d, size_t n) : d_(d), n_(n) {}
  unsigned get(int count) {
    unsigned v = 0;
    for (int k = 0; k < count; ++k, ++pos_) {
      if (pos_ / 8 >= n_) { ok_ = false; return 0; }
      v = (v << 1) | ((d_[pos_ / 8] >> (7 - pos_ % 8)) & 1u);
    }
    return v;
  }
  bool ok() const { return ok_; }

 private:
  const uint8_t* d_;
  size_t n_, pos_ = 0;
  bool ok_ = true;
};
}  // namespace

bool vp9_starts_with_key_frame(const uint8_t* data, size_t size) {
  if (!data || size < 4) return false;
  Bits b(data, size);
  if (b.get(2) != 2) return false;  // frame_marker
  const unsigned profile_low = b.get(1), profile_high = b.get(1);
  if (((profile_high << 1) | profile_low) == 3 && b.get(1) != 0) return false;  // reserved_zero
  if (b.get(1) != 0) return false;  // show_existing_frame: a repeat of an older frame
  if (b.get(1) != 0) return false;  // frame_type: 0 = KEY_FRAME
  b.get(2);                         // show_frame, error_resilient_mode
  return b.get(8) == 0x49 && b.get(8) == 0x83 && b.get(8) == 0x42 && b.ok();  // frame_sync_code
}

}  // namespace reelforge
