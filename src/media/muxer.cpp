#include "media/muxer.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <random>

#include "util/errors.h"

namespace reelforge {

namespace fs = std::filesystem;

Muxer::Muxer(const std::string& path) : path_(path) {
  const AVOutputFormat* of = av_guess_format(nullptr, path.c_str(), nullptr);
  if (!of)
    throw InputError("cannot tell the container format from the output name '" + path +
                     "': use an extension such as .mp4, .mov, .mkv, .webm, .m4a, .wav");
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  if (!fs::is_directory(dir)) throw InputError("output folder does not exist: '" + dir.string() + "'");
  std::random_device rd;
  tmp_ = (dir / ("." + target.filename().string() + ".part" + std::to_string(rd() % 1000000))).string();
  int err = avformat_alloc_output_context2(&fmt_, of, nullptr, tmp_.c_str());
  if (err < 0 || !fmt_) throw EncoderError("cannot create output for '" + path + "': " + av_error_text(err));
}

Muxer::~Muxer() {
  if (fmt_) {
    if (fmt_->pb && !(fmt_->oformat->flags & AVFMT_NOFILE)) avio_closep(&fmt_->pb);
    avformat_free_context(fmt_);
  }
  if (!done_) std::remove(tmp_.c_str());
}

bool Muxer::wants_global_header() const { return fmt_->oformat->flags & AVFMT_GLOBALHEADER; }

int Muxer::add_stream(const AVCodecContext* enc) {
  AVStream* st = avformat_new_stream(fmt_, nullptr);
  if (!st) throw std::bad_alloc();
  int err = avcodec_parameters_from_context(st->codecpar, enc);
  if (err < 0) throw EncoderError("cannot set stream parameters: " + av_error_text(err));
  st->time_base = enc->time_base;
  if (enc->codec_type == AVMEDIA_TYPE_VIDEO) st->avg_frame_rate = enc->framerate;
  return st->index;
}

void Muxer::write_header() {
  int err = 0;
  for (unsigned i = 0; i < fmt_->nb_streams; ++i) {
    err = avformat_query_codec(fmt_->oformat, fmt_->streams[i]->codecpar->codec_id, FF_COMPLIANCE_NORMAL);
    if (err == 0)
      throw InputError(std::string("codec '") + avcodec_get_name(fmt_->streams[i]->codecpar->codec_id) +
                       "' cannot be stored in a ." + fmt_->oformat->name + " file; choose another container or codec");
  }
  if (!(fmt_->oformat->flags & AVFMT_NOFILE)) {
    err = avio_open(&fmt_->pb, tmp_.c_str(), AVIO_FLAG_WRITE);
    if (err < 0) throw EncoderError("cannot write output '" + path_ + "': " + av_error_text(err));
  }
  err = avformat_write_header(fmt_, nullptr);
  if (err < 0) throw EncoderError("cannot write the header of '" + path_ + "': " + av_error_text(err));
  header_ = true;
}

void Muxer::write(AVPacket* pkt, int stream, AVRational enc_time_base) {
  pkt->stream_index = stream;
  av_packet_rescale_ts(pkt, enc_time_base, fmt_->streams[stream]->time_base);
  int err = av_interleaved_write_frame(fmt_, pkt);
  if (err < 0) throw EncoderError("writing '" + path_ + "' failed: " + av_error_text(err));
}

void Muxer::finish() {
  int err = av_write_trailer(fmt_);
  if (err < 0) throw EncoderError("finishing '" + path_ + "' failed: " + av_error_text(err));
  if (fmt_->pb && !(fmt_->oformat->flags & AVFMT_NOFILE)) {
    err = avio_closep(&fmt_->pb);
    if (err < 0) throw EncoderError("closing '" + path_ + "' failed: " + av_error_text(err));
  }
  std::error_code ec;
  fs::rename(tmp_, path_, ec);
  if (ec) throw EncoderError("cannot move the finished file to '" + path_ + "': " + ec.message());
  done_ = true;
}

}  // namespace reelforge
