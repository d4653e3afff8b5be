// Transitions between two layers of a timeline (reelforge.transitions, Scene.add_transition):
// over the frames where both show, the two are rendered apart and blended by a gl-transitions
// style shader (gpu/effects/transition_shader.*) into one canvas-sized picture drawn at `from`'s
// place in the stack (gpu/render_graph.cpp). Pure data, filled by Scene.compile().
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace reelforge {

struct Timeline;

// A uniform the transition's source declares (`uniform vec2 direction; // = vec2(1.0, -1.0)`):
// GLSL type, number of float components (bool and int types too) and the default from its comment.
struct TransitionUniform {
  std::string name, type;
  int components = 1;
  std::array<float, 4> default_value{0, 0, 0, 0};
};

// A transition shader compiled to SPIR-V: `vec4 transition(vec2 uv)` of the user's source.
struct CompiledTransition {
  std::string source;
  std::vector<TransitionUniform> uniforms;
  std::vector<uint32_t> spirv;
};

constexpr size_t kMaxTransitionUniforms = 15;  // vec4 slots after progress/ratio in a 256-byte block

struct Transition {
  int from = 0, to = 0;                    // layer indices: the outgoing and the incoming layer
  int64_t first_frame = 0, end_frame = 0;  // the overlap [first_frame, end_frame): both layers show
  std::vector<float> progress;             // per frame of the overlap (after easing), 0..1; or 1 value
  std::shared_ptr<const CompiledTransition> shader;
  std::vector<float> values;               // 4 floats per shader uniform, in its order

  float progress_at(int64_t frame) const {
    return progress.size() == 1 ? progress[0] : progress.at(size_t(frame - first_frame));
  }
  bool active(int64_t frame) const { return frame >= first_frame && frame < end_frame; }
};

// Throws InputError naming the transition for inconsistent data: layers out of range or equal,
// an overlap outside either layer, progress tables, uniform values, a layer in two transitions
// at once.
void validate_transitions(const Timeline& tl);

}  // namespace reelforge
