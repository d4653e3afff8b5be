#include "timeline/timeline.h"

#include <cmath>

#include "util/errors.h"

namespace reelforge {

namespace {
void check_track(const Layer& l, const std::vector<float>& v, const char* prop) {
  const int64_t n = l.end_frame - l.start_frame;
  if (int64_t(v.size()) != n && v.size() != 1)
    throw InputError("layer '" + l.name + "' property '" + prop + "': expected 1 or " + std::to_string(n) +
                     " values (frames " + std::to_string(l.start_frame) + ".." + std::to_string(l.end_frame - 1) +
                     "), got " + std::to_string(v.size()));
  for (size_t i = 0; i < v.size(); ++i)
    if (!std::isfinite(v[i]))
      throw InputError("layer '" + l.name + "' property '" + prop + "': non-finite value at frame " +
                       std::to_string(l.start_frame + int64_t(i)));
}
void check_times(const std::vector<double>& v, const std::string& what) {
  for (size_t i = 0; i < v.size(); ++i)
    if (!std::isfinite(v[i]) || v[i] < 0)
      throw InputError(what + ": source time " + std::to_string(v[i]) + " at index " + std::to_string(i) +
                       " must be finite and >= 0 seconds");
}

void check_source_time(const Layer& l) {
  if (l.source_time.empty()) return;
  const int64_t n = l.end_frame - l.start_frame;
  if (l.kind != LayerKind::Video) throw InputError("layer '" + l.name + "': source_time is for video layers only");
  if (int64_t(l.source_time.size()) != n && l.source_time.size() != 1)
    throw InputError("layer '" + l.name + "' source_time: expected 1 or " + std::to_string(n) + " values, got " +
                     std::to_string(l.source_time.size()));
  check_times(l.source_time, "layer '" + l.name + "'");
}

void check_clip_source_time(const AudioClip& c, int64_t frame_count) {
  if (c.source_time.empty()) return;
  const int64_t n = int64_t(c.source_time.size()) - 1;
  if (n < 1 || c.remap_first_frame < 0 || c.remap_first_frame + n > frame_count)
    throw InputError("audio clip '" + c.path + "' source_time: needs frames + 1 boundary values inside the "
                     "timeline, got " + std::to_string(c.source_time.size()) + " from frame " +
                     std::to_string(c.remap_first_frame));
  check_times(c.source_time, "audio clip '" + c.path + "'");
}
}  // namespace

void Timeline::validate_nested(int depth) const {
  if (width <= 0 || height <= 0 || width % 2 || height % 2)
    throw InputError("width and height must be positive and even (4:2:0 chroma needs even sizes), got " +
                     std::to_string(width) + "x" + std::to_string(height));
  if (fps.num <= 0 || fps.den <= 0) throw InputError("fps must be positive");
  if (frame_count <= 0) throw InputError("scene has no frames: duration * fps must be >= 1 frame");
  for (const auto& l : layers) {
    if (l.start_frame < 0 || l.end_frame <= l.start_frame || l.start_frame >= frame_count)
      throw InputError("layer '" + l.name + "' is outside the timeline (frames " + std::to_string(l.start_frame) +
                       ".." + std::to_string(l.end_frame) + " of " + std::to_string(frame_count) + ")");
    const auto& t = l.track;
    for (auto [v, name] : {std::pair{&t.x, "x"}, {&t.y, "y"}, {&t.width, "width"}, {&t.height, "height"},
                           {&t.anchor_x, "anchor_x"}, {&t.anchor_y, "anchor_y"}, {&t.scale_x, "scale_x"},
                           {&t.scale_y, "scale_y"}, {&t.rotation, "rotation"}, {&t.opacity, "opacity"},
                           {&t.crop_left, "crop_left"}, {&t.crop_top, "crop_top"}, {&t.crop_right, "crop_right"},
                           {&t.crop_bottom, "crop_bottom"}})
      check_track(l, *v, name);
    check_source_time(l);
    if ((l.kind == LayerKind::Generated || l.kind == LayerKind::Shape) && !l.generator)
      throw InputError("layer '" + l.name + "' is a generated layer without a generator");
    if ((l.kind == LayerKind::Video || (l.kind == LayerKind::Image && !l.image && !l.generator)) && l.path.empty())
      throw InputError("layer '" + l.name + "' has no source path");
    for (size_t e = 0; e < l.effects.size(); ++e)
      l.effects[e].validate("layer '" + l.name + "' effect " + std::to_string(e), l.end_frame - l.start_frame);
    validate_graph(l, *this, depth);
  }
  for (const auto& c : audio) {
    if (!c.gain_db_per_frame.empty() && int64_t(c.gain_db_per_frame.size()) != frame_count)
      throw InputError("audio clip '" + c.path + "': gain_db needs one value per frame");
    check_clip_source_time(c, frame_count);
  }
  validate_audio_dynamics(*this);
  validate_transitions(*this);
}

}  // namespace reelforge
