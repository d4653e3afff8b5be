// Frame/sample maths (src/util/rational.h, DESIGN.md "Time"): frame i covers audio samples
// [floor(i*SR/fps), floor((i+1)*SR/fps)), in exact integer maths, so NTSC rates never drift.
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "util/rational.h"

using reelforge::frame_first_sample;
using reelforge::frame_time;
using reelforge::Rational;

namespace {
// Independent reference: floor(i * rate * den / num) split as i = q*num + r, so no product
// exceeds 64 bits for the ranges tested (q*rate*den is exact; r*rate*den < num*rate*den).
int64_t reference_first_sample(int64_t i, int64_t rate, Rational fps) {
  const int64_t q = i / fps.num, r = i % fps.num;
  return q * rate * fps.den + (r * rate * fps.den) / fps.num;
}
}  // namespace

TEST_CASE("frame_first_sample: 30000/1001 fps at 48 kHz gives the 1601/1602 pattern, 8008 per 5 frames") {
  const Rational ntsc{30000, 1001};
  std::vector<int64_t> lengths;
  for (int i = 0; i < 5; ++i)
    lengths.push_back(frame_first_sample(i + 1, 48000, ntsc) - frame_first_sample(i, 48000, ntsc));
  CHECK(lengths == std::vector<int64_t>{1601, 1602, 1601, 1602, 1602});
  CHECK(frame_first_sample(5, 48000, ntsc) == 8008);
  // One hour of frames (107892 frames at 29.97) lands on floor(107892 * 1601.6) exactly.
  CHECK(frame_first_sample(107892, 48000, ntsc) == 172799827);
}

TEST_CASE("frame_first_sample: integer rates are exact multiples") {
  CHECK(frame_first_sample(0, 48000, {30, 1}) == 0);
  CHECK(frame_first_sample(1, 48000, {30, 1}) == 1600);
  CHECK(frame_first_sample(25, 48000, {25, 1}) == 48000);
  CHECK(frame_first_sample(3, 44100, {24, 1}) == 5512);  // 3 * 1837.5, floored
}

TEST_CASE("frame_first_sample: matches the reference, frames tile the timeline without gaps") {
  const Rational rates[] = {{24, 1}, {25, 1}, {30, 1}, {60, 1}, {24000, 1001}, {30000, 1001}, {60000, 1001}, {50, 2}};
  const int64_t srs[] = {8000, 44100, 48000, 96000};
  for (const Rational fps : rates)
    for (const int64_t sr : srs) {
      CAPTURE(fps.num);
      CAPTURE(fps.den);
      CAPTURE(sr);
      int64_t total = 0;
      bool ok = true;
      for (int64_t i = 0; i < 5000; ++i) {
        const int64_t a = frame_first_sample(i, sr, fps), b = frame_first_sample(i + 1, sr, fps);
        ok &= a == reference_first_sample(i, sr, fps);
        // Every frame covers floor or ceil of SR/fps samples, never fewer, never more.
        const int64_t lo = sr * fps.den / fps.num, hi = lo + ((sr * fps.den) % fps.num != 0);
        ok &= b - a >= lo && b - a <= hi;
        total += b - a;
      }
      CHECK(ok);
      CHECK(total == reference_first_sample(5000, sr, fps));
    }
}

TEST_CASE("frame_first_sample: exact where i * SR * den overflows 64 bits") {
  const Rational fps{60000, 1001};
  const int64_t i = 100000000000;  // 1e11 frames: i * 96000 * 1001 ~ 9.6e18 > INT64_MAX
  CHECK(frame_first_sample(i, 96000, fps) == reference_first_sample(i, 96000, fps));
  CHECK(frame_first_sample(i, 96000, fps) == 160160000000000);
}

TEST_CASE("frame_time and to_double") {
  CHECK(frame_time(30, {30, 1}) == 1.0);
  CHECK(frame_time(30000, {30000, 1001}) == doctest::Approx(1001.0).epsilon(1e-15));
  CHECK(frame_time(0, {24000, 1001}) == 0.0);
  CHECK(Rational{30000, 1001}.to_double() == doctest::Approx(29.97002997));
  CHECK(Rational{}.num == 30);  // default: 30 fps
}
