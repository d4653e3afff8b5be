// A video layer's source: decoded sequentially (one seek at open to trim_start, none per frame),
// frames handed out in 8-bit planar 4:2:0 (yuv420p / yuva420p) for upload in native planes.
#pragma once
#include <optional>
#include <string>

#include "media/demux.h"
#include "media/orientation.h"

namespace reelforge {

class VideoSource {
 public:
  // Damaged data is skipped (the last good frame stays on screen, a warning names the file and
  // time: see media_warnings.h); with `strict` it throws MediaError instead.
  VideoSource(const std::string& path, double trim_start, bool strict = false);

  // The frame on screen at source time `t` seconds (0 = the file's start, shared with its audio):
  // the last frame whose pts <= t, compared with a tolerance of one time-base tick (at most a
  // quarter frame) that absorbs the container's pts rounding: at equal rates each frame shows once. Calls must have non-decreasing t. After the end of the stream the last frame
  // is held. Valid until the next call; av_frame_ref it to keep it.
  const AVFrame* frame_at(double t);

  int width() const { return width_; }
  int height() const { return height_; }
  bool has_alpha() const { return has_alpha_; }
  // How the decoded picture is displayed (the stream's display matrix).
  const Orientation& orientation() const { return orientation_; }
  const std::string& path() const { return path_; }
  // For stepping frame by frame (RemapSource): the source time of the next decoded frame, the one
  // frame_at(that time) shows; nullopt at the end of the stream. The pts tolerance of frame_at.
  std::optional<double> next_frame_time() const {
    return next_ ? std::optional<double>(seconds(next_.get())) : std::nullopt;
  }
  double tolerance() const { return tolerance_; }
  // Starts again at the keyframe before source time `t` with the same decoder (its threads and
  // frame pool kept: no reopen). False when that does not land at or before `t` (damage, a lost
  // keyframe, a strict failure): then open a new VideoSource at `t`, which falls back as needed.
  bool seek(double t);
  // The longest run of frames from one keyframe to the next (or to the stream's end), from the
  // demuxer's index (MP4/MOV: every sample; Matroska/WebM: its cues, an upper bound); nullopt
  // without an index. Read at open, before decoding adds entries.
  std::optional<int64_t> longest_gop_frames() const;

 private:
  bool decode_one(FramePtr& into);  // decodes + normalises the next frame; false at EOF
  double seconds(const AVFrame* f) const;
  void report_damage(bool at_end);  // one warning per new damage found by decode_next

  std::string path_;
  bool strict_ = false;
  OpenStream s_;
  PacketPtr pkt_;
  FramePtr raw_, cur_, next_;
  SwsPtr sws_;
  int width_ = 0, height_ = 0;
  bool has_alpha_ = false, eof_ = false;
  double start_time_ = 0.0;  // the file's time origin (see file_origin), seconds
  double tolerance_ = 1e-4;  // seconds; see frame_at
  double frame_dur_ = 0.04;  // seconds, from the stream's frame rate
  double last_good_ = 0.0;   // source time of the last frame decoded, for warnings
  int64_t damage_seen_ = 0;  // s_.damage already reported
  std::string failed_;       // strict mode: the decode error met, thrown again by later calls
  Orientation orientation_;
};

}  // namespace reelforge
