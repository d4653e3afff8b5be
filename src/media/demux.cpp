#include "media/demux.h"

#include <algorithm>
#include <climits>
#include <filesystem>

#include "util/errors.h"

extern "C" {
#include <libavutil/dict.h>
}

namespace reelforge {

FramePtr make_frame() {
  FramePtr f(av_frame_alloc());
  if (!f) throw std::bad_alloc();
  return f;
}

PacketPtr make_packet() {
  PacketPtr p(av_packet_alloc());
  if (!p) throw std::bad_alloc();
  return p;
}

InputContextPtr open_input(const std::string& path) {
  if (!std::filesystem::exists(path)) throw MediaNotFound("media file not found: '" + path + "'");
  AVFormatContext* raw = nullptr;
  int err = avformat_open_input(&raw, path.c_str(), nullptr, nullptr);
  if (err < 0) throw MediaError("cannot open media '" + path + "': " + av_error_text(err));
  InputContextPtr fmt(raw);
  err = avformat_find_stream_info(fmt.get(), nullptr);
  if (err < 0) throw MediaError("cannot read stream info of '" + path + "': " + av_error_text(err));
  return fmt;
}

OpenStream open_stream(const std::string& path, AVMediaType type, bool frame_threads) {
  OpenStream s;
  s.fmt = open_input(path);
  int idx = av_find_best_stream(s.fmt.get(), type, -1, -1, nullptr, 0);
  // Skip attached pictures (cover art) when looking for video.
  if (type == AVMEDIA_TYPE_VIDEO && idx >= 0 && (s.fmt->streams[idx]->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
    idx = -1;
    for (unsigned i = 0; i < s.fmt->nb_streams; ++i) {
      auto* st = s.fmt->streams[i];
      if (st->codecpar->codec_type == type && !(st->disposition & AV_DISPOSITION_ATTACHED_PIC)) { idx = int(i); break; }
    }
  }
  if (idx < 0)
    throw MediaError("'" + path + "' has no " + av_get_media_type_string(type) + " stream");
  s.stream_index = idx;
  AVStream* st = s.fmt->streams[idx];
  const AVCodec* codec = nullptr;
  AVDictionaryEntry* alpha = av_dict_get(st->metadata, "alpha_mode", nullptr, 0);
  if (alpha && std::string(alpha->value) == "1") {
    if (st->codecpar->codec_id == AV_CODEC_ID_VP9) codec = avcodec_find_decoder_by_name("libvpx-vp9");
    if (st->codecpar->codec_id == AV_CODEC_ID_VP8) codec = avcodec_find_decoder_by_name("libvpx");
  }
  if (!codec) codec = avcodec_find_decoder(st->codecpar->codec_id);
  if (!codec)
    throw MediaError("no decoder for codec '" + std::string(avcodec_get_name(st->codecpar->codec_id)) + "' in '" + path + "'");
  s.dec.reset(avcodec_alloc_context3(codec));
  if (!s.dec) throw std::bad_alloc();
  int err = avcodec_parameters_to_context(s.dec.get(), st->codecpar);
  if (err < 0) throw MediaError("bad codec parameters in '" + path + "': " + av_error_text(err));
  s.dec->pkt_timebase = st->time_base;
  if (frame_threads) {
    s.dec->thread_count = 0;  // FFmpeg picks per core
    s.dec->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
  }
  err = avcodec_open2(s.dec.get(), codec, nullptr);
  if (err < 0) throw MediaError("cannot open decoder for '" + path + "': " + av_error_text(err));
  return s;
}

int64_t file_origin(AVFormatContext* fmt, const AVStream* st) {
  bool found = false;
  int64_t best = 0, heard = INT64_MAX;  // earliest start; earliest start of content (after priming)
  const AVStream* video = nullptr;
  for (unsigned i = 0; i < fmt->nb_streams; ++i) {
    const AVStream* o = fmt->streams[i];
    const AVMediaType type = o->codecpar->codec_type;
    if (o->start_time == AV_NOPTS_VALUE || (o->disposition & AV_DISPOSITION_ATTACHED_PIC) ||
        (type != AVMEDIA_TYPE_VIDEO && type != AVMEDIA_TYPE_AUDIO))
      continue;
    if (type == AVMEDIA_TYPE_VIDEO && !video) video = o;
    // Our own stream's start is exact; others are rescaled down, so the origin is never later.
    const int64_t t = o == st ? o->start_time
                              : av_rescale_q_rnd(o->start_time, o->time_base, st->time_base, AV_ROUND_DOWN);
    if (!found || t < best) best = t;
    found = true;
    // Audio priming the decoder drops (Opus pre-skip, codec delay) is not content.
    const int rate = o->codecpar->sample_rate;
    const int64_t pad = type == AVMEDIA_TYPE_AUDIO && rate > 0
                            ? av_rescale_q(o->codecpar->initial_padding, AVRational{1, rate}, st->time_base) : 0;
    heard = std::min(heard, t + pad);
  }
  if (video) {
    const AVRational rate = av_guess_frame_rate(fmt, const_cast<AVStream*>(video), nullptr);
    const int64_t v = video == st ? video->start_time
                                  : av_rescale_q_rnd(video->start_time, video->time_base, st->time_base, AV_ROUND_DOWN);
    const double lead = (v - heard) * av_q2d(st->time_base);  // seconds from the first content to the first picture
    if (rate.num > 0 && rate.den > 0 && lead < 0.5 * av_q2d(av_inv_q(rate))) best = v;
  }
  return best;
}

namespace {
// Counts a skipped error, or throws in strict mode.
void damaged(OpenStream& s, int err, const char* what, const std::string& path, bool strict) {
  const std::string text = std::string(what) + " '" + path + "' failed: " + av_error_text(err);
  if (strict) throw MediaError(text + " (on_decode_error='raise')");
  if (s.damage++ == 0) s.damage_text = av_error_text(err);
}
}  // namespace

bool decode_next(OpenStream& s, AVPacket* pkt, AVFrame* out, const std::string& path, bool strict) {
  int receive_errors = 0, read_errors = 0;  // in a row: bounds the work on a stream that is all damage
  bool flushed = false;
  for (;;) {
    int err = avcodec_receive_frame(s.dec.get(), out);
    if (err == 0) return true;
    if (err == AVERROR_EOF) return false;
    if (err != AVERROR(EAGAIN)) {
      damaged(s, err, "decoding", path, strict);
      if (++receive_errors < kMaxConsecutiveErrors) continue;
      return false;
    }
    if (flushed) return false;  // (EAGAIN after a flush: a broken decoder) nothing more comes
    // Feed the next packet of our stream (or flush at end of file).
    for (;;) {
      err = av_read_frame(s.fmt.get(), pkt);
      if (err == AVERROR_EOF || (err < 0 && read_errors >= kMaxConsecutiveErrors)) {
        avcodec_send_packet(s.dec.get(), nullptr);
        flushed = true;
        break;
      }
      if (err < 0) {  // damaged container data: skipped, as ffmpeg does, unless it never ends
        damaged(s, err, "reading", path, strict);
        ++read_errors;
        continue;
      }
      read_errors = 0;
      if (pkt->stream_index != s.stream_index) { av_packet_unref(pkt); continue; }
      err = avcodec_send_packet(s.dec.get(), pkt);
      av_packet_unref(pkt);
      if (err < 0 && err != AVERROR(EAGAIN)) damaged(s, err, "decoding", path, strict);  // packet dropped
      break;
    }
  }
}

}  // namespace reelforge
