// Audio encoding for the container: AAC-LC for MP4/MOV/M4A/.aac, Opus for WebM/MKV/Ogg (.ogg .oga
// .opus), PCM for WAV, MP3 (libmp3lame) for .mp3, FLAC for .flac. Input is 48 kHz stereo interleaved float from the mixer.
#pragma once
#include <functional>
#include <string>

#include "audio/dither.h"
#include "media/encode_loop.h"
#include "media/ffmpeg_ptr.h"

namespace reelforge {

class AudioEncoder {
 public:
  AudioEncoder(const AVOutputFormat* container, int64_t bitrate, bool global_header);
  AVCodecContext* ctx() const { return ctx_.get(); }
  const char* name() const { return ctx_->codec->name; }
  // Samples per encoder frame (1024 for AAC); the last frame may be shorter.
  int frame_samples() const;
  // True for FFmpeg's AAC encoder with the fast coder (>= 128 kb/s): its state (filters, attack
  // detector, window sequence, bit reservoir) follows the input within a few frames, so a stream
  // can be encoded as independent chunks with a short pre-roll (ParallelAac) and decode like one
  // encoder's output, without seams. Not with the twoloop coder (< 128 kb/s): its rate control
  // takes seconds to settle, so every chunk would start at a lower quality.
  bool chunkable() const { return chunkable_; }
  // Encodes `n` interleaved stereo samples with pts `pts` (in 1/48000), passing packets to `sink`.
  void encode(const float* interleaved, int n, int64_t pts, const PacketSink& sink);
  void flush(const PacketSink& sink);

 private:
  CodecContextPtr ctx_;
  FramePtr frame_;
  PacketPtr pkt_;
  TpdfDither dither_;  // 16-bit sample formats: TPDF dither instead of plain rounding
  bool chunkable_ = false;
};

}  // namespace reelforge
