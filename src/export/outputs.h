// Opening an export's outputs before any frame is rendered: the container (Muxer) or the image
// sequence, the video and audio encoders and their streams; and PacketMux, which takes the
// encoded packets of several producers (video and audio encoders, on any thread) into them.
#pragma once
#include <memory>
#include <mutex>
#include <string>

#include "export/exporter.h"
#include "media/audio_encoder.h"
#include "media/muxer.h"
#include "media/video_encoder.h"
#include "export/subtitle_track.h"

namespace reelforge {

// Packets into the output: a container (interleaved by dts by libavformat) or, for an image
// sequence, one file per packet named by its pts (the frame index). Thread-safe: several
// producers may write at once.
class PacketMux {
 public:
  PacketMux(Muxer* mux, ImageSequenceWriter* seq) : mux_(mux), seq_(seq) {}
  // `pkt` in `time_base` for `stream` (ignored by image sequences).
  void write(AVPacket* pkt, int stream, AVRational time_base);
  // A sink for one stream's packets.
  PacketSink sink(int stream, AVRational time_base);
  // Trailer / moves the finished output into place.
  void finish();

 private:
  std::mutex m_;
  Muxer* mux_;
  ImageSequenceWriter* seq_;
};

struct ExportOutputs {
  std::unique_ptr<Muxer> mux;                // container outputs
  std::unique_ptr<ImageSequenceWriter> seq;  // image sequences
  std::unique_ptr<VideoEncoder> video;       // null for audio-only outputs
  std::unique_ptr<AudioEncoder> audio;       // null when the output carries no audio
  int video_stream = -1, audio_stream = -1;
  std::unique_ptr<PacketMux> packets;
  std::unique_ptr<SubtitleTrack> subtitles;  // ExportOptions::subtitles
  int subtitle_stream = -1;

  // Another audio encoder with the same settings (parallel AAC chunks).
  std::unique_ptr<AudioEncoder> make_audio_encoder() const;
  int64_t audio_bitrate = 0;
};

// Opens the outputs for `codec` ("" for audio only) with the header written; `audio`: the
// output carries the scene's audio.
ExportOutputs open_outputs(const Timeline& tl, const ExportOptions& opt, const std::string& codec, bool audio,
                           const LogFn& log);

}  // namespace reelforge
