#include "export/outputs.h"
#include "util/errors.h"

namespace reelforge {

void PacketMux::write(AVPacket* pkt, int stream, AVRational time_base) {
  std::lock_guard lk(m_);
  if (seq_)
    seq_->write(pkt, pkt->pts);  // pts is the frame index (time base 1/fps)
  else
    mux_->write(pkt, stream, time_base);
}

PacketSink PacketMux::sink(int stream, AVRational time_base) {
  return [this, stream, time_base](AVPacket* p) { write(p, stream, time_base); };
}

void PacketMux::finish() {
  std::lock_guard lk(m_);
  if (seq_)
    seq_->finish();
  else
    mux_->finish();
}

std::unique_ptr<AudioEncoder> ExportOutputs::make_audio_encoder() const {
  return std::make_unique<AudioEncoder>(mux->format(), audio_bitrate, mux->wants_global_header());
}

ExportOutputs open_outputs(const Timeline& t, const ExportOptions& opt, const std::string& codec, bool audio,
                           const LogFn& log) {
  ExportOutputs out;
  const bool sequence = !codec.empty() && codec_spec(codec).extensions.empty();
  if (sequence)
    out.seq = std::make_unique<ImageSequenceWriter>(opt.path);
  else
    out.mux = std::make_unique<Muxer>(opt.path);
  const bool global_header = out.mux && out.mux->wants_global_header();
  if (!codec.empty()) {
    VideoEncodeOptions v = opt.video;
    v.codec = codec;
    out.video = std::make_unique<VideoEncoder>(v, t.width, t.height, t.fps, global_header, log);
    if (out.mux) out.video_stream = out.mux->add_stream(out.video->ctx());
  }
  out.audio_bitrate = opt.audio_bitrate;
  if (audio) {
    out.audio = out.make_audio_encoder();
    out.audio_stream = out.mux->add_stream(out.audio->ctx());
  }
  if (!opt.subtitles.empty()) {
    if (!out.mux) throw InputError("subtitles: an image sequence cannot carry a subtitle track");
    out.subtitles = std::make_unique<SubtitleTrack>(opt.subtitles, out.mux->format(),
                                                    static_cast<double>(opt.first_frame * t.fps.den) / static_cast<double>(t.fps.num));
    out.subtitle_stream = out.mux->add_stream(out.subtitles->ctx());
  }
  if (out.mux) out.mux->write_header();
  out.packets = std::make_unique<PacketMux>(out.mux.get(), out.seq.get());
  if (out.subtitles) out.subtitles->write_all(*out.packets, out.subtitle_stream);
  return out;
}

}  // namespace reelforge
