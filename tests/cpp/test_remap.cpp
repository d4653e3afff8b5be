// Time remap plumbing: source-time lookup (media/remap_source.h), table validation
// (timeline.cpp) and the tempo stretcher's output length (audio/tempo.h).
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "audio/tempo.h"
#include "media/remap_source.h"
#include "timeline/timeline.h"
#include "util/errors.h"

using namespace reelforge;

TEST_CASE("layer_source_time: normal playback, a per-frame table, a constant") {
  Layer l;
  l.kind = LayerKind::Video;
  l.start_frame = 10;
  l.end_frame = 14;
  l.trim_start = 1.5;
  CHECK(layer_source_time(l, 12, Rational{25, 1}) == doctest::Approx(1.5 + 2.0 / 25));
  l.source_time = {4.0, 3.0, 2.0, 1.0};
  CHECK(layer_source_time(l, 10, Rational{25, 1}) == 4.0);
  CHECK(layer_source_time(l, 13, Rational{25, 1}) == 1.0);
  CHECK(remap_goes_backward(l));
  l.source_time = {0.5};
  CHECK(layer_source_time(l, 13, Rational{25, 1}) == 0.5);
  CHECK_FALSE(remap_goes_backward(l));
}

TEST_CASE("Timeline::validate checks remap tables") {
  Timeline tl;
  tl.width = tl.height = 16;
  tl.frame_count = 10;
  Layer l;
  l.name = "v";
  l.kind = LayerKind::Video;
  l.path = "x.mp4";
  l.end_frame = 4;
  l.track.x = l.track.y = l.track.width = l.track.height = {0};
  l.track.anchor_x = l.track.anchor_y = l.track.scale_x = l.track.scale_y = l.track.rotation = {0};
  l.track.opacity = l.track.crop_left = l.track.crop_top = l.track.crop_right = l.track.crop_bottom = {0};
  l.source_time = {0.0, 1.0, 2.0};  // 3 values for 4 frames
  tl.layers = {l};
  CHECK_THROWS_AS(tl.validate(), InputError);
  tl.layers[0].source_time = {0.0, 1.0, -2.0, 3.0};
  CHECK_THROWS_AS(tl.validate(), InputError);
  tl.layers[0].source_time = {0.0, 1.0, 2.0, 3.0};
  CHECK_NOTHROW(tl.validate());
  AudioClip c;
  c.path = "x.mp4";
  c.remap_first_frame = 8;
  c.source_time = {0.0, 0.1, 0.2, 0.3};  // frames 8..10: past the timeline's 10 frames
  tl.audio = {c};
  CHECK_THROWS_AS(tl.validate(), InputError);
}

TEST_CASE("TempoStretcher: output length follows the tempo") {
  std::vector<float> in(2 * 48000);
  for (size_t i = 0; i < in.size() / 2; ++i) in[2 * i] = in[2 * i + 1] = float(0.5 * std::sin(2 * M_PI * 440.0 * double(i) / 48000));
  for (bool ramps : {false, true})  // atempo; Rubber Band where libavfilter has it
  for (double tempo : {2.0, 0.5, 0.25}) {
    TempoStretcher t(tempo, ramps);
    std::vector<float> out;
    for (int k = 0; k < 4; ++k) t.process(in.data(), 48000, tempo, out);  // 4 s of input
    t.flush(out);
    const double seconds = double(out.size() / 2) / 48000;
    CHECK(seconds == doctest::Approx(4.0 / tempo).epsilon(0.03));
  }
}
