// A time-remapped video layer's source (speed, reverse, freeze, loop, ramps): frames for any
// sequence of source times, chosen by VideoSource's rule (the last frame with pts <= t, within its
// tolerance), decoded without a seek per frame.
#pragma once
#include <cstddef>
#include <deque>
#include <memory>
#include <string>

#include "media/video_source.h"
#include "timeline/timeline.h"

namespace reelforge {

// Source seconds shown by video layer `l` at timeline frame `i` (in [start_frame, end_frame)):
// its source_time table, else trim_start + the frame's time since start_frame.
double layer_source_time(const Layer& l, int64_t i, Rational fps);

// True when the layer's source_time ever steps backwards (reverse, loop, a ramp that turns back):
// such layers keep a window of decoded frames (RemapSource).
bool remap_goes_backward(const Layer& l);

// Decoding policy:
//  - forward requests decode forward; a jump more than kSeekAheadSeconds past the next decoded
//    frame reopens at the target instead (one seek to the keyframe before it);
//  - a request before the window of kept frames reopens at the keyframe before it and decodes up
//    to it (a GOP at a time, not a seek per frame), keeping the last frames in the window; reverse
//    play is then served from the window until it runs out. Playing a GOP of g frames in reverse
//    with a window of w decodes about g + g² / (2w) frames. With `backward` the window is
//    ceil(g / 4) frames for the longest GOP in the stream's index (at most ~3 decodes per frame
//    shown at the least memory), at least 2 and at most kWindowBytes of pictures (no index: that
//    much); else 2. Forward play trims it to 2. Memory stays bounded whatever the GOP length, at
//    the cost of more re-decoding when a long GOP's window is capped.
class RemapSource {
 public:
  static constexpr double kSeekAheadSeconds = 2.0;
  static constexpr size_t kWindowBytes = size_t(48) << 20;
  static constexpr int64_t kGopShare = 4;  // window = GOP / kGopShare frames: <= ~3 decodes per frame

  RemapSource(const std::string& path, bool strict, bool backward);

  // The frame on screen at source time `t` (any order). Valid until the next call.
  const AVFrame* frame_at(double t);

  // Statistics (tests, benchmarks): reopens (seeks) so far, decoders opened for them (a reopen
  // seeks the same decoder when it can), frames decoded, the window's capacity.
  int64_t reopens() const { return reopens_; }
  int64_t decoders() const { return decoders_; }
  int64_t decoded() const { return decoded_; }
  size_t window_capacity() const { return cap_; }

 private:
  bool covers(double t) const;
  const AVFrame* pick(double t) const;
  void reopen(double t);
  void decode_up_to(double t, size_t keep);  // decodes the frames due by t, keeping the last `keep`

  std::string path_;
  bool strict_ = false, backward_ = false;
  std::unique_ptr<VideoSource> dec_;
  std::deque<FramePtr> win_;   // consecutive decoded frames, oldest first
  std::deque<double> win_t_;   // their source times
  size_t cap_ = 2;
  double tol_ = 1e-4;
  double stream_first_ = -1.0;  // source time of the stream's first frame once known, else < 0
  int64_t reopens_ = 0, decoders_ = 0, decoded_ = 0;
};

}  // namespace reelforge
