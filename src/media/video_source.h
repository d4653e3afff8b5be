// A video layer's source: decoded sequentially (one seek at open to trim_start, none per frame),
// frames handed out in 8-bit planar 4:2:0 (yuv420p / yuva420p) for upload in native planes.
#pragma once
#include <string>

#include "media/demux.h"
#include "media/orientation.h"

namespace reelforge {

class VideoSource {
 public:
  VideoSource(const std::string& path, double trim_start);

  // The frame on screen at source time `t` seconds (0 = first frame of the file): the last frame
  // whose pts <= t. Calls must have non-decreasing t. After the end of the stream the last frame
  // is held. Valid until the next call; av_frame_ref it to keep it.
  const AVFrame* frame_at(double t);

  int width() const { return width_; }
  int height() const { return height_; }
  bool has_alpha() const { return has_alpha_; }
  // How the decoded picture is displayed (the stream's display matrix).
  const Orientation& orientation() const { return orientation_; }
  const std::string& path() const { return path_; }

 private:
  bool decode_one(FramePtr& into);  // decodes + normalises the next frame; false at EOF
  double seconds(const AVFrame* f) const;

  std::string path_;
  OpenStream s_;
  PacketPtr pkt_;
  FramePtr raw_, cur_, next_;
  SwsPtr sws_;
  int width_ = 0, height_ = 0;
  bool has_alpha_ = false, eof_ = false;
  double start_time_ = 0.0;
  Orientation orientation_;
};

}  // namespace reelforge
