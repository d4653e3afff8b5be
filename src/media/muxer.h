// Output container written to a temporary file beside the target and renamed on success, so a
// failed or cancelled export never leaves a partial file under the requested name. The temporary
// name carries the pid; one left by a killed process is removed by the next Muxer for the target. Image
// sequences (frames/%05d.png) are the same idea one level up: a temporary folder.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

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
  std::vector<int64_t> pts_offset_;  // per stream, in the encoder's time base (Opus in Matroska)
  bool header_ = false, done_ = false;
};

// True for an image-sequence output: a file name holding one printf frame-number field (%d,
// %05d, ...) or a folder (a path ending in '/').
bool is_image_sequence_path(const std::string& path);

// A sequence path taken apart: folder, file name around the frame number, zero-padding width,
// extension (lower case, with the dot). InputError for a malformed pattern (two number fields, a
// field in the folder part, a stray '%'); touches no file.
struct SequencePattern {
  std::string dir, prefix, suffix, ext;
  int width = 0;
  std::string file_name(int64_t index) const;
};
SequencePattern parse_sequence_path(const std::string& path);

// Writes one file per frame for a sequence path: "frames/%05d.png" names frame 0 00000.png; a
// folder "frames/" means "frames/%05d.png". Numbers are frame indices (from 0, as in
// Renderer.render_frame). The files go into a temporary folder and are moved into place by
// finish(): when the target folder does not exist yet, the temporary folder (beside it) is
// renamed to it, so the folder appears complete or not at all; when it exists, the temporary
// folder is made inside it and the frames are moved out of it (replacing files of the same name),
// then frames of the same pattern the new sequence does not have (an older, longer export) are
// removed, so the folder never holds a mixed sequence. Temporary names carry the pid: the
// leftovers of a killed process are removed by the next writer to the same target.
// Destroyed without finish() (failure, cancel), the temporary folder and its frames are removed.
class ImageSequenceWriter {
 public:
  explicit ImageSequenceWriter(const std::string& path);  // InputError for a bad pattern or missing parent folder
  ~ImageSequenceWriter();
  ImageSequenceWriter(const ImageSequenceWriter&) = delete;
  ImageSequenceWriter& operator=(const ImageSequenceWriter&) = delete;

  // Writes `pkt`'s bytes as the file of frame `index`.
  void write(const AVPacket* pkt, int64_t index);
  void finish();

 private:
  void remove_older_frames() const;
  SequencePattern pat_;
  std::string tmp_;
  std::vector<bool> written_;  // by frame index
  bool new_dir_ = false, done_ = false;
};

}  // namespace reelforge
