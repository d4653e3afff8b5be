// Output container written to a temporary file beside the target and renamed on success, so a
// failed or cancelled export never leaves a partial file under the requested name.
#pragma once
#include <string>

#include "media/ffmpeg_ptr.h"

namespace reelforge {

class Muxer {
 public:
  // Picks the container from the extension of `path` (EncoderError / InputError if unknown).
  explicit Muxer(const std::string& path);
  ~Muxer();  // removes the temporary file unless finish() succeeded
  Muxer(const Muxer&) = delete;
  Muxer& operator=(const Muxer&) = delete;

  bool wants_global_header() const;
  const AVOutputFormat* format() const { return fmt_->oformat; }
  // Adds a stream carrying `enc`'s output; returns its index.
  int add_stream(const AVCodecContext* enc);
  void write_header();
  // Rescales `pkt` from `enc_time_base` and writes it interleaved by dts (av_interleaved_write_frame).
  void write(AVPacket* pkt, int stream, AVRational enc_time_base);
  // Writes the trailer and renames the temporary file to the target.
  void finish();

 private:
  std::string path_, tmp_;
  AVFormatContext* fmt_ = nullptr;
  bool header_ = false, done_ = false;
};

}  // namespace reelforge
