#include "timeline/transition.h"

#include <cmath>

#include "timeline/timeline.h"
#include "util/errors.h"

namespace reelforge {

void validate_transitions(const Timeline& tl) {
  const int n = int(tl.layers.size());
  for (size_t i = 0; i < tl.transitions.size(); ++i) {
    const Transition& t = tl.transitions[i];
    const std::string what = "transition " + std::to_string(i);
    if (t.from < 0 || t.from >= n || t.to < 0 || t.to >= n || t.from == t.to)
      throw InputError(what + ": from/to must be two different layer indices in 0.." + std::to_string(n - 1) +
                       ", got " + std::to_string(t.from) + " and " + std::to_string(t.to));
    const Layer& a = tl.layers[size_t(t.from)];
    const Layer& b = tl.layers[size_t(t.to)];
    if (t.end_frame <= t.first_frame || t.first_frame < std::max(a.start_frame, b.start_frame) ||
        t.end_frame > std::min(a.end_frame, b.end_frame))
      throw InputError(what + " ('" + a.name + "' -> '" + b.name + "'): frames " + std::to_string(t.first_frame) +
                       ".." + std::to_string(t.end_frame) + " must be a non-empty span where both layers show");
    const int64_t frames = t.end_frame - t.first_frame;
    if (t.progress.size() != 1 && int64_t(t.progress.size()) != frames)
      throw InputError(what + ": progress needs 1 or " + std::to_string(frames) + " values, got " +
                       std::to_string(t.progress.size()));
    for (float p : t.progress)
      if (!(p >= 0.0f && p <= 1.0f)) throw InputError(what + ": progress values must be in 0..1, got " + std::to_string(p));
    if (!t.shader || t.shader->spirv.empty()) throw InputError(what + ": no compiled shader");
    if (t.values.size() != 4 * t.shader->uniforms.size())
      throw InputError(what + ": needs 4 values per shader uniform (" + std::to_string(4 * t.shader->uniforms.size()) +
                       "), got " + std::to_string(t.values.size()));
    for (float v : t.values)
      if (!std::isfinite(v)) throw InputError(what + ": uniform values must be finite");
    for (size_t j = 0; j < i; ++j) {
      const Transition& u = tl.transitions[j];
      const bool shared = u.from == t.from || u.from == t.to || u.to == t.from || u.to == t.to;
      if (shared && u.first_frame < t.end_frame && t.first_frame < u.end_frame)
        throw InputError(what + " overlaps transition " + std::to_string(j) +
                         " on a shared layer: a layer takes part in one transition at a time");
    }
  }
}

}  // namespace reelforge
