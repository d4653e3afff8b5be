#include "export/subtitle_track.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>

#include "export/outputs.h"
#include "util/errors.h"

namespace reelforge {

std::string subtitle_encoder_for(const AVOutputFormat* fmt, bool ass_input) {
  const std::string name = fmt->name;
  if (name == "mp4" || name == "mov") return "mov_text";
  if (name == "webm") return "webvtt";
  if (name == "matroska") return ass_input ? "ass" : "srt";
  return "";
}

namespace {

std::string lower_ext(const std::string& path) {
  std::string e = std::filesystem::path(path).extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return e;
}

struct SubtitleFree {
  void operator()(AVSubtitle* s) const { avsubtitle_free(s); }
};

}  // namespace

SubtitleTrack::SubtitleTrack(const std::string& path, const AVOutputFormat* fmt, double offset_s) {
  const std::string ext = lower_ext(path);
  const std::string enc_name = subtitle_encoder_for(fmt, ext == ".ass" || ext == ".ssa");
  if (enc_name.empty())
    throw InputError(std::string("subtitles: a .") + fmt->name +
                     " output cannot carry a subtitle track; use an .mp4, .mov, .webm or .mkv file");
  if (!std::filesystem::exists(path)) throw MediaNotFound("subtitles: file not found: '" + path + "'");

  AVFormatContext* raw = nullptr;
  int err = avformat_open_input(&raw, path.c_str(), nullptr, nullptr);
  if (err < 0) throw MediaError("subtitles: cannot open '" + path + "': " + av_error_text(err));
  InputContextPtr in(raw);
  if ((err = avformat_find_stream_info(in.get(), nullptr)) < 0)
    throw MediaError("subtitles: cannot read '" + path + "': " + av_error_text(err));
  const AVCodec* dec_codec = nullptr;
  const int si = av_find_best_stream(in.get(), AVMEDIA_TYPE_SUBTITLE, -1, -1, &dec_codec, 0);
  if (si < 0 || dec_codec == nullptr)
    throw MediaError("subtitles: '" + path + "' holds no subtitles FFmpeg can read (SRT, WebVTT, ASS/SSA)");
  const AVStream* st = in->streams[si];
  CodecContextPtr dec(avcodec_alloc_context3(dec_codec));
  if (!dec) throw std::bad_alloc();
  avcodec_parameters_to_context(dec.get(), st->codecpar);
  dec->pkt_timebase = st->time_base;
  if ((err = avcodec_open2(dec.get(), dec_codec, nullptr)) < 0)
    throw MediaError("subtitles: cannot decode '" + path + "': " + av_error_text(err));

  const auto offset_ms = static_cast<int64_t>(std::llround(offset_s * 1000.0));
  PacketPtr pkt = make_packet();
  while (av_read_frame(in.get(), pkt.get()) >= 0) {
    if (pkt->stream_index == si) {
      AVSubtitle sub{};
      int got = 0;
      if (avcodec_decode_subtitle2(dec.get(), &sub, &got, pkt.get()) >= 0 && got) {
        std::unique_ptr<AVSubtitle, SubtitleFree> guard(&sub);
        Event e;
        e.start_ms = av_rescale_q(pkt->pts, st->time_base, AVRational{1, 1000}) + sub.start_display_time - offset_ms;
        e.duration_ms = pkt->duration > 0 ? av_rescale_q(pkt->duration, st->time_base, AVRational{1, 1000})
                                          : int64_t(sub.end_display_time) - sub.start_display_time;
        for (unsigned r = 0; r < sub.num_rects; ++r)
          if (sub.rects[r]->type == SUBTITLE_ASS && sub.rects[r]->ass) e.ass.emplace_back(sub.rects[r]->ass);
        if (e.start_ms < 0) e.duration_ms += e.start_ms, e.start_ms = 0;  // clipped by the export range
        if (e.duration_ms > 0 && !e.ass.empty()) events_.push_back(std::move(e));
      }
    }
    av_packet_unref(pkt.get());
  }

  const AVCodec* ec = avcodec_find_encoder_by_name(enc_name.c_str());
  if (ec == nullptr) throw EncoderError("subtitles: this FFmpeg has no '" + enc_name + "' encoder");
  enc_.reset(avcodec_alloc_context3(ec));
  if (!enc_) throw std::bad_alloc();
  enc_->time_base = AVRational{1, 1000};
  if (dec->subtitle_header) {  // the ASS header (styles) the events refer to
    enc_->subtitle_header = static_cast<uint8_t*>(av_mallocz(static_cast<size_t>(dec->subtitle_header_size) + 1));
    if (!enc_->subtitle_header) throw std::bad_alloc();
    std::memcpy(enc_->subtitle_header, dec->subtitle_header, static_cast<size_t>(dec->subtitle_header_size));
    enc_->subtitle_header_size = dec->subtitle_header_size;
  }
  if (fmt->flags & AVFMT_GLOBALHEADER) enc_->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  if ((err = avcodec_open2(enc_.get(), ec, nullptr)) < 0)
    throw EncoderError("subtitles: cannot open the '" + enc_name + "' encoder: " + av_error_text(err));
}

void SubtitleTrack::write_all(PacketMux& mux, int stream) {
  std::vector<uint8_t> buf(1 << 20);
  for (Event& e : events_) {
    std::vector<AVSubtitleRect> rects(e.ass.size());
    std::vector<AVSubtitleRect*> ptrs;
    for (size_t i = 0; i < e.ass.size(); ++i) {
      rects[i].type = SUBTITLE_ASS;
      rects[i].ass = e.ass[i].data();
      ptrs.push_back(&rects[i]);
    }
    AVSubtitle sub{};
    sub.format = 1;  // text
    sub.start_display_time = 0;
    sub.end_display_time = static_cast<uint32_t>(e.duration_ms);
    sub.pts = e.start_ms * 1000;  // AV_TIME_BASE
    sub.num_rects = static_cast<unsigned>(ptrs.size());
    sub.rects = ptrs.data();
    const int n = avcodec_encode_subtitle(enc_.get(), buf.data(), static_cast<int>(buf.size()), &sub);
    if (n < 0) throw EncoderError("subtitles: encoding an event failed: " + av_error_text(n));
    PacketPtr pkt = make_packet();
    if (av_new_packet(pkt.get(), n) < 0) throw std::bad_alloc();
    std::memcpy(pkt->data, buf.data(), static_cast<size_t>(n));
    pkt->pts = pkt->dts = e.start_ms;
    pkt->duration = e.duration_ms;
    mux.write(pkt.get(), stream, enc_->time_base);
  }
}

}  // namespace reelforge
