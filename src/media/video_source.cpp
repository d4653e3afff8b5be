#include "media/video_source.h"

#include <algorithm>
#include <cstdio>
#include <cmath>

#include "media/media_warnings.h"
#include "util/errors.h"

extern "C" {
#include <libavutil/dict.h>
}

extern "C" {
#include <libavutil/pixdesc.h>
}

namespace reelforge {

VideoSource::VideoSource(const std::string& path, double trim_start, bool strict)
    : path_(path), strict_(strict), s_(open_stream(path, AVMEDIA_TYPE_VIDEO)), pkt_(make_packet()), raw_(make_frame()) {
  AVStream* st = s_.stream();
  width_ = s_.dec->width & ~1;
  height_ = s_.dec->height & ~1;
  if (width_ <= 0 || height_ <= 0) throw MediaError("'" + path + "' has a video stream without a size");
  // Alpha: from the decoder's format, or the WebM alpha_mode tag (libvpx reports yuva420p only
  // once it has decoded a frame carrying alpha side data).
  const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(s_.dec->pix_fmt);
  const AVDictionaryEntry* alpha_tag = av_dict_get(st->metadata, "alpha_mode", nullptr, 0);
  has_alpha_ = (d && (d->flags & AV_PIX_FMT_FLAG_ALPHA)) || (alpha_tag && std::string(alpha_tag->value) == "1");
  orientation_ = stream_orientation(st);
  // Containers round pts to their time base (WebM/MKV: 1 ms), so a frame due at t may carry a pts
  // up to one tick later. Accept that much, but never a sizeable part of a frame (see frame_at).
  const AVRational rate = av_guess_frame_rate(s_.fmt.get(), st, nullptr);
  frame_dur_ = rate.num > 0 && rate.den > 0 ? av_q2d(av_inv_q(rate)) : 0.04;
  tolerance_ = std::max(1e-4, std::min(av_q2d(st->time_base), frame_dur_ / 4));
  start_time_ = file_origin(s_.fmt.get(), st) * av_q2d(st->time_base);  // shared with the file's audio
  if (trim_start > 0) {
    // One seek to the keyframe before trim_start; frames before it are decoded and skipped by frame_at.
    int64_t ts = int64_t((trim_start + start_time_) / av_q2d(st->time_base));
    if (av_seek_frame(s_.fmt.get(), s_.stream_index, ts, AVSEEK_FLAG_BACKWARD) >= 0) {
      avcodec_flush_buffers(s_.dec.get());
      // Landing on damage (nothing decodes) or after trim_start (a lost keyframe) would show other
      // frames than decoding from the start does: then decode from the start instead, so a
      // render_frame() past damage shows what an export shows (the last good frame).
      if (decode_one(next_) && seconds(next_.get()) <= trim_start + tolerance_) return;
      s_ = open_stream(path, AVMEDIA_TYPE_VIDEO);
      next_.reset();
      eof_ = false;
      last_good_ = 0.0;
      damage_seen_ = 0;
    }
  }
  if (!decode_one(next_)) throw MediaError("'" + path + "' contains no decodable video frame");
}

std::optional<int64_t> VideoSource::longest_gop_frames() const {
  AVStream* st = s_.stream();
  const int n = avformat_index_get_entries_count(st);
  std::optional<int64_t> prev;  // timestamp of the previous keyframe
  double longest = 0;
  const double tb = av_q2d(st->time_base);
  for (int i = 0; i < n; ++i) {
    const AVIndexEntry* e = avformat_index_get_entry(st, i);
    if (!e || !(e->flags & AVINDEX_KEYFRAME)) continue;
    if (prev) longest = std::max(longest, double(e->timestamp - *prev) * tb);
    prev = e->timestamp;
  }
  if (!prev) return std::nullopt;
  const double end = st->duration != AV_NOPTS_VALUE ? double(st->start_time != AV_NOPTS_VALUE ? st->start_time : 0) * tb +
                                                         double(st->duration) * tb
                                                   : double(s_.fmt->duration) / AV_TIME_BASE;
  if (end > 0) longest = std::max(longest, end - double(*prev) * tb);
  return std::max<int64_t>(1, std::llround(longest / frame_dur_));
}

bool VideoSource::seek(double t) {
  if (!failed_.empty()) return false;
  AVStream* st = s_.stream();
  cur_.reset();
  next_.reset();
  eof_ = false;
  const int64_t ts = int64_t((std::max(0.0, t) + start_time_) / av_q2d(st->time_base));
  if (av_seek_frame(s_.fmt.get(), s_.stream_index, ts, AVSEEK_FLAG_BACKWARD) < 0) return false;
  avcodec_flush_buffers(s_.dec.get());
  try {
    return decode_one(next_) && seconds(next_.get()) <= t + tolerance_;
  } catch (const MediaError&) {  // strict: the new VideoSource reports it
    return false;
  }
}

double VideoSource::seconds(const AVFrame* f) const {
  int64_t ts = f->best_effort_timestamp != AV_NOPTS_VALUE ? f->best_effort_timestamp : f->pts;
  if (ts == AV_NOPTS_VALUE) return 0.0;
  return ts * av_q2d(s_.stream()->time_base) - start_time_;
}

void VideoSource::report_damage(bool at_end) {
  // A demuxer that cannot resync (Matroska) ends the stream at the damage without an error:
  // then the stream ending well before the container's declared duration is the sign.
  const double declared = s_.fmt->duration != AV_NOPTS_VALUE ? s_.fmt->duration / double(AV_TIME_BASE) : 0.0;
  if (at_end && s_.damage == damage_seen_ && declared > last_good_ + std::max(0.5, 4 * frame_dur_)) {
    char when[64];
    std::snprintf(when, sizeof when, "%.3f s, before its declared %.3f s", last_good_, declared);
    warn_media("'" + path_ + "': video ends at " + when + " (truncated or damaged file?): the last frame is held");
  }
  if (s_.damage == damage_seen_) return;
  damage_seen_ = s_.damage;
  char when[32];
  std::snprintf(when, sizeof when, "%.3f", last_good_);
  warn_media("'" + path_ + "': damaged video data after " + when + " s (" + s_.damage_text + "): " +
             (at_end ? "no frame decodes after it, the last good frame is held to the end"
                     : "the last good frame is held until decoding recovers") +
             " (on_decode_error='raise' makes this an error)");
}

bool VideoSource::decode_one(FramePtr& into) {
  if (eof_ || !decode_next(s_, pkt_.get(), raw_.get(), path_, strict_)) {
    eof_ = true;
    report_damage(true);
    return false;
  }
  report_damage(false);
  last_good_ = seconds(raw_.get());
  const auto fmt = AVPixelFormat(raw_->format);
  const bool native = raw_->width == width_ && raw_->height == height_ &&
                      (has_alpha_ ? fmt == AV_PIX_FMT_YUVA420P
                                  : (fmt == AV_PIX_FMT_YUV420P || fmt == AV_PIX_FMT_YUVJ420P));
  if (native) {
    into = make_frame();
    av_frame_move_ref(into.get(), raw_.get());
    return true;
  }
  // Other layouts (4:2:2, 4:4:4, 10-bit, RGB, size changes) become 8-bit 4:2:0 planes here;
  // colour stays YUV so the shader still applies the source's matrix and range.
  const AVPixelFormat want = has_alpha_ ? AV_PIX_FMT_YUVA420P : AV_PIX_FMT_YUV420P;
  sws_.reset(sws_getCachedContext(sws_.release(), raw_->width, raw_->height, fmt, width_, height_, want,
                                  SWS_BILINEAR, nullptr, nullptr, nullptr));
  if (!sws_) throw MediaError("cannot convert pixel format of '" + path_ + "'");
  into = make_frame();
  into->format = want;
  into->width = width_;
  into->height = height_;
  if (av_frame_get_buffer(into.get(), 0) < 0) throw std::bad_alloc();
  sws_scale(sws_.get(), raw_->data, raw_->linesize, 0, raw_->height, into->data, into->linesize);
  av_frame_copy_props(into.get(), raw_.get());
  if (fmt == AV_PIX_FMT_YUVJ420P || fmt == AV_PIX_FMT_YUVJ422P || fmt == AV_PIX_FMT_YUVJ444P)
    into->color_range = AVCOL_RANGE_JPEG;
  av_frame_unref(raw_.get());
  return true;
}

const AVFrame* VideoSource::frame_at(double t) {
  if (!failed_.empty()) throw MediaError(failed_);  // strict: the same error for every later frame
  try {
    while (next_ && (!cur_ || seconds(next_.get()) <= t + tolerance_)) {
      cur_ = std::move(next_);
      FramePtr n;
      if (decode_one(n)) next_ = std::move(n);
    }
  } catch (const MediaError& e) {
    failed_ = e.what();
    throw;
  }
  return cur_.get();
}

}  // namespace reelforge
