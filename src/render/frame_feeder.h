// CPU side of producing a frame: video layers decoded in order, image layers loaded once, and
// per-frame placements evaluated from the timeline. Feeds Compositor::submit.
#pragma once
#include <memory>
#include <vector>

#include "gpu/compositor.h"
#include "media/ffmpeg_ptr.h"
#include "media/remap_source.h"
#include "media/video_source.h"
#include "timeline/timeline.h"

namespace reelforge {

struct FrameInputs {
  int64_t index = 0;
  std::vector<LayerDraw> draws;
  std::vector<FramePtr> refs;  // keep the video frames referenced by `draws` alive
};

class FrameFeeder {
 public:
  // Loads every image and checks every video source (MediaError naming the file on failure).
  // Video decoders are opened when their layer starts and closed when it ends, so memory does not
  // grow with the number of clips in a long timeline.
  explicit FrameFeeder(const Timeline& timeline);

  std::vector<LayerSource> layer_sources() const;
  // Draw list for frame `i`. Sequential access is cheapest; going backwards reopens (one seek).
  FrameInputs frame(int64_t i);

 private:
  const Timeline& tl_;
  std::vector<std::shared_ptr<const RgbaImage>> images_;
  std::vector<std::unique_ptr<VideoSource>> videos_;  // open only while the layer is active
  struct VideoFormat { int width = 0, height = 0; bool alpha = false; Orientation orientation; };
  std::vector<VideoFormat> formats_;
  std::vector<double> last_t_;
  // Render-graph nodes (frame_feeder_nodes.cpp): feeders of nested and mask timelines, per layer.
  std::vector<std::unique_ptr<FrameFeeder>> children_, masks_;
  void open_nodes();
  void node_sources(size_t layer, LayerSource& out) const;
  void feed_node(size_t layer, int64_t frame, LayerDraw& d, FrameInputs& in);
  void feed_transitions(int64_t frame, FrameInputs& in) const;
  std::vector<std::unique_ptr<RemapSource>> remaps_;  // time-remapped video layers, while active
};

}  // namespace reelforge
