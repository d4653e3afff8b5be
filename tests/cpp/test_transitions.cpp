// Transitions' CPU side: the gl-transitions uniform parser, the timeline checks
// (validate_transitions) and the decode stage's transition node (FrameFeeder::feed_transitions).
#include <doctest/doctest.h>

#include "gpu/effects/transition_shader.h"
#include "render/frame_feeder.h"
#include "util/errors.h"

using namespace reelforge;

namespace {
Layer solid(const char* name, int64_t start, int64_t end) {
  Layer l;
  l.name = name;
  l.start_frame = start, l.end_frame = end;
  auto& t = l.track;
  t.x = {0}, t.y = {0}, t.width = {16}, t.height = {8}, t.anchor_x = {0}, t.anchor_y = {0};
  t.scale_x = {1}, t.scale_y = {1}, t.rotation = {0}, t.opacity = {1};
  t.crop_left = {0}, t.crop_top = {0}, t.crop_right = {0}, t.crop_bottom = {0};
  return l;
}

const char* kMix = "vec4 transition(vec2 uv) { return mix(getFromColor(uv), getToColor(uv), progress); }\n";

// Layers a (0..6), b (4..10), c (0..10, on top); a -> b over frames 4..6.
Timeline timeline() {
  Timeline tl;
  tl.width = 16, tl.height = 8, tl.frame_count = 10;
  tl.layers = {solid("a", 0, 6), solid("b", 4, 10), solid("c", 0, 10)};
  Transition t;
  t.from = 0, t.to = 1, t.first_frame = 4, t.end_frame = 6;
  t.progress = {0.25f, 0.75f};
  t.shader = compile_transition_shader(kMix);
  tl.transitions = {t};
  return tl;
}
}  // namespace

TEST_CASE("uniform declarations: types, defaults from comments, errors with the user's line") {
  auto s = compile_transition_shader(
      "// Author: x\nuniform vec2 direction; // = vec2(-1.0, 1.0)\nuniform float depth; // = 3\n"
      "uniform ivec2 squares;// = ivec2(10,12)\nuniform bool flip; // = true\nuniform float plain;\n" +
      std::string(kMix));
  REQUIRE(s->uniforms.size() == 5);
  CHECK(s->uniforms[0].type == "vec2");
  CHECK(s->uniforms[0].default_value == std::array<float, 4>{-1, 1, 0, 0});
  CHECK(s->uniforms[1].default_value[0] == 3.0f);
  CHECK(s->uniforms[2].default_value == std::array<float, 4>{10, 12, 0, 0});
  CHECK(s->uniforms[3].default_value[0] == 1.0f);
  CHECK(s->uniforms[4].default_value[0] == 0.0f);
  CHECK(s == compile_transition_shader(s->source));  // cached by source
  CHECK_THROWS_WITH_AS(compile_transition_shader("\nuniform float a, b;\n" + std::string(kMix)),
                       doctest::Contains("transition:2: declare one uniform per line"), InputError);
  CHECK_THROWS_WITH_AS(compile_transition_shader("uniform float progress;\n" + std::string(kMix)),
                       doctest::Contains("'progress' is reserved"), InputError);
  CHECK_THROWS_WITH_AS(compile_transition_shader("vec4 transition(vec2 uv) {\n  return q;\n}\n"),
                       doctest::Contains("transition:2: error"), InputError);
}

TEST_CASE("validate_transitions names the transition and the rule") {
  Timeline tl = timeline();
  CHECK_NOTHROW(tl.validate());
  tl.transitions[0].end_frame = 7;  // past a's end
  CHECK_THROWS_WITH_AS(tl.validate(), doctest::Contains("where both layers show"), InputError);
  tl = timeline();
  tl.transitions[0].to = 0;
  CHECK_THROWS_WITH_AS(tl.validate(), doctest::Contains("two different layer indices"), InputError);
  tl = timeline();
  tl.transitions[0].progress = {0.5f, 1.5f};
  CHECK_THROWS_WITH_AS(tl.validate(), doctest::Contains("progress values must be in 0..1"), InputError);
  tl = timeline();
  tl.transitions[0].values = {1.0f};
  CHECK_THROWS_WITH_AS(tl.validate(), doctest::Contains("4 values per shader uniform"), InputError);
  tl = timeline();
  Transition again = tl.transitions[0];
  again.to = 2;  // a in two transitions over the same frames
  tl.transitions.push_back(again);
  CHECK_THROWS_WITH_AS(tl.validate(), doctest::Contains("transition 1 overlaps transition 0"), InputError);
}

TEST_CASE("the decode stage puts a transition node at a's place during the overlap") {
  const Timeline tl = timeline();
  FrameFeeder feeder(tl);
  const auto sources = feeder.layer_sources();
  REQUIRE(sources.size() == 4);  // the layers, then the transition's entry
  CHECK(sources[3].transition);
  CHECK(sources[3].kind == LayerKind::Composition);
  const FrameInputs before = feeder.frame(3);
  REQUIRE(before.draws.size() == 2);  // a, c
  const FrameInputs in = feeder.frame(5);
  REQUIRE(in.draws.size() == 2);  // the node (a's place), c above
  const LayerDraw& node = in.draws[0];
  CHECK(node.transition);
  CHECK(node.node());
  CHECK(node.layer == 3);
  CHECK(node.progress == 0.75f);
  REQUIRE(node.from.size() == 1);
  REQUIRE(node.to.size() == 1);
  CHECK(node.from[0].layer == 0);
  CHECK(node.to[0].layer == 1);
  CHECK(node.place.bounds == std::array<float, 4>{0, 0, 16, 8});
  CHECK(in.draws[1].layer == 2);
  const FrameInputs after = feeder.frame(6);
  REQUIRE(after.draws.size() == 2);  // b, c
  CHECK(after.draws[0].layer == 1);
}
