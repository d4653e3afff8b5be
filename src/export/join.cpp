#include "export/join.h"
#include "export/keyframes.h"

#include <cstdio>
#include <filesystem>
#include <random>

#include "media/demux.h"
#include "media/ffmpeg_ptr.h"
#include "util/errors.h"

extern "C" {
#include <libavutil/opt.h>
}

namespace reelforge {

namespace fs = std::filesystem;

namespace {

struct DictDeleter { void operator()(AVDictionary* d) const { av_dict_free(&d); } };

int video_stream_of(AVFormatContext* fmt, const std::string& path) {
  for (unsigned i = 0; i < fmt->nb_streams; ++i)
    if (fmt->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
        !(fmt->streams[i]->disposition & AV_DISPOSITION_ATTACHED_PIC))
      return int(i);
  throw MediaError("segment '" + path + "' has no video stream");
}

// True if the access unit holds an IDR slice: H.264 NAL type 5, HEVC types 19/20 (IDR_W_RADL,
// IDR_N_LP). Length-prefixed NAL units (avcC/hvcC, as MP4/MOV/Matroska store them; the length
// size comes from the extradata) or Annex B start codes when there is no avcC/hvcC.
bool has_idr(const AVPacket* pkt, const AVCodecParameters* par) {
  const bool hevc = par->codec_id == AV_CODEC_ID_HEVC;
  auto is_idr = [&](uint8_t h) { return hevc ? (((h >> 1) & 0x3f) == 19 || ((h >> 1) & 0x3f) == 20) : (h & 0x1f) == 5; };
  const uint8_t* d = pkt->data;
  const size_t n = size_t(pkt->size);
  const uint8_t* x = par->extradata;
  const bool length_prefixed = par->extradata_size > 0 && x[0] == 1;
  if (length_prefixed) {
    const int len_size = hevc ? (par->extradata_size > 21 ? (x[21] & 3) + 1 : 4) : (par->extradata_size > 4 ? (x[4] & 3) + 1 : 4);
    for (size_t i = 0; i + size_t(len_size) < n;) {
      size_t len = 0;
      for (int k = 0; k < len_size; ++k) len = (len << 8) | d[i + size_t(k)];
      i += size_t(len_size);
      if (len == 0 || i + len > n) return false;
      if (is_idr(d[i])) return true;
      i += len;
    }
    return false;
  }
  for (size_t i = 0; i + 3 < n; ++i)
    if (d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1 && is_idr(d[i + 3])) return true;
  return false;
}

// `ts` in `tb` as a frame index at `fps`; false if it is not one. Exact where the time base holds
// whole frames (MP4/MOV: 1/fps or a multiple); in a coarser one such as Matroska/WebM's 1 ms,
// the frame whose time rounds to `ts` (within half a tick, DESIGN.md "Time"), which is unique
// as long as a tick is at most half a frame.
bool to_frames(int64_t ts, AVRational tb, Rational fps, int64_t& frames) {
  const __int128 num = (__int128)ts * tb.num * fps.num, den = (__int128)tb.den * fps.den;
  if (num % den == 0) {
    frames = int64_t(num / den);
    return true;
  }
  const __int128 tick = (__int128)tb.num * fps.num;  // one tick, in the units of num
  if (2 * tick > den) return false;                  // ticks longer than half a frame: exact only
  const __int128 f = (num >= 0 ? 2 * num + den : 2 * num - den) / (2 * den);  // nearest frame
  const __int128 err = num - f * den;
  if (2 * (err < 0 ? -err : err) > tick) return false;
  frames = int64_t(f);
  return true;
}

std::string tb_text(int num, int den) { return std::to_string(num) + "/" + std::to_string(den); }

// The output container under a temporary name beside the target; removed unless commit() ran.
class OutputFile {
 public:
  explicit OutputFile(const std::string& path) : path_(path) {
    const AVOutputFormat* of = av_guess_format(nullptr, path.c_str(), nullptr);
    if (!of) throw InputError("cannot tell the container format of the join output '" + path + "': use .mp4, .mov, .mkv or .webm");
    const fs::path target(path);
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    if (!fs::is_directory(dir)) throw InputError("output folder does not exist: '" + dir.string() + "'");
    std::random_device rd;
    tmp_ = (dir / ("." + target.filename().string() + ".part" + std::to_string(rd() % 1000000))).string();
    const int err = avformat_alloc_output_context2(&fmt_, of, nullptr, tmp_.c_str());
    if (err < 0 || !fmt_) throw EncoderError("cannot create output for '" + path + "': " + av_error_text(err));
    // Matroska/WebM write a random SegmentUID (and a date) unless bitexact: the same segments
    // must join into the same bytes.
    const std::string name = of->name;
    if (name.find("matroska") != std::string::npos || name.find("webm") != std::string::npos)
      fmt_->flags |= AVFMT_FLAG_BITEXACT;
  }
  ~OutputFile() {
    if (fmt_) {
      if (fmt_->pb) avio_closep(&fmt_->pb);
      avformat_free_context(fmt_);
    }
    if (!done_) std::remove(tmp_.c_str());
  }
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  AVFormatContext* ctx() { return fmt_; }
  AVStream* add_stream(const AVCodecParameters* par, AVRational tb) {
    AVStream* st = avformat_new_stream(fmt_, nullptr);
    if (!st) throw std::bad_alloc();
    if (avcodec_parameters_copy(st->codecpar, par) < 0) throw std::bad_alloc();
    st->codecpar->codec_tag = 0;  // let the output container choose its own tag
    st->time_base = tb;
    return st;
  }
  void write_header() {
    int err = avio_open(&fmt_->pb, tmp_.c_str(), AVIO_FLAG_WRITE);
    if (err < 0) throw EncoderError("cannot write output '" + path_ + "': " + av_error_text(err));
    AVDictionary* raw = nullptr;
    // MP4/MOV: moov before mdat, so players can start before the whole file arrived.
    if (fmt_->priv_data && av_opt_find(fmt_->priv_data, "movflags", nullptr, 0, 0))
      av_dict_set(&raw, "movflags", "+faststart", 0);
    AVDictionary* d = raw;
    err = avformat_write_header(fmt_, &d);
    std::unique_ptr<AVDictionary, DictDeleter> left(d);
    if (err < 0) throw EncoderError("cannot write the header of '" + path_ + "': " + av_error_text(err));
  }
  void write(AVPacket* pkt) {
    const int err = av_interleaved_write_frame(fmt_, pkt);
    if (err < 0) throw EncoderError("writing '" + path_ + "' failed: " + av_error_text(err));
  }
  void commit() {
    int err = av_write_trailer(fmt_);
    if (err < 0) throw EncoderError("finishing '" + path_ + "' failed: " + av_error_text(err));
    err = avio_closep(&fmt_->pb);
    if (err < 0) throw EncoderError("closing '" + path_ + "' failed: " + av_error_text(err));
    std::error_code ec;
    fs::rename(tmp_, path_, ec);
    if (ec) throw EncoderError("cannot move the joined file to '" + path_ + "': " + ec.message());
    done_ = true;
  }

 private:
  std::string path_, tmp_;
  AVFormatContext* fmt_ = nullptr;
  bool done_ = false;
};

// Every segment against the first and against the plan; InputError naming what differs.
void check_segments(const JoinOptions& o, const std::vector<SegmentInfo>& info) {
  const SegmentInfo& a = info.front();
  int64_t sum = 0;
  for (size_t i = 0; i < info.size(); ++i) {
    const SegmentInfo& s = info[i];
    const std::string who = "segment " + std::to_string(i) + " ('" + s.path + "')";
    if (!s.starts_with_idr)
      throw InputError(who + " does not start with an IDR frame: each segment must be encoded on its own, starting at a GOP boundary");
    if (s.codec != a.codec || s.width != a.width || s.height != a.height)
      throw InputError(who + " is " + s.codec + " " + std::to_string(s.width) + "x" + std::to_string(s.height) +
                       " but segment 0 is " + a.codec + " " + std::to_string(a.width) + "x" + std::to_string(a.height));
    if (s.time_base_num != a.time_base_num || s.time_base_den != a.time_base_den)
      throw InputError(who + " has time base " + tb_text(s.time_base_num, s.time_base_den) + " but segment 0 has " +
                       tb_text(a.time_base_num, a.time_base_den));
    if (s.extradata != a.extradata)
      throw InputError(who + " has different codec parameters (SPS/PPS) than segment 0: all segments must be "
                       "encoded with the same encoder, settings and build");
    if (!s.whole_frames)
      throw InputError(who + "'s timestamps are not the frames 0.." + std::to_string(s.frames - 1) + " at " +
                       std::to_string(o.fps.num) + "/" + std::to_string(o.fps.den) + " fps");
    if (!o.segment_frames.empty() && s.frames != o.segment_frames[i])
      throw InputError(who + " has " + std::to_string(s.frames) + " frames, the plan expects " +
                       std::to_string(o.segment_frames[i]));
    sum += s.frames;
  }
  if (sum != o.total_frames)
    throw InputError("the segments hold " + std::to_string(sum) + " frames but the timeline has " +
                     std::to_string(o.total_frames));
}

// Reads the next packet of `stream` into `pkt`; false at the end of the file.
bool read_stream(AVFormatContext* fmt, int stream, AVPacket* pkt, const std::string& path) {
  for (;;) {
    const int err = av_read_frame(fmt, pkt);
    if (err == AVERROR_EOF) return false;
    if (err < 0) throw MediaError("reading '" + path + "' failed: " + av_error_text(err));
    if (pkt->stream_index == stream) return true;
    av_packet_unref(pkt);
  }
}

}  // namespace

SegmentInfo inspect_segment(const std::string& path, Rational fps) {
  InputContextPtr fmt = open_input(path);
  const int vs = video_stream_of(fmt.get(), path);
  const AVStream* st = fmt->streams[vs];
  const AVCodecParameters* par = st->codecpar;
  SegmentInfo s;
  s.path = path;
  s.codec = avcodec_get_name(par->codec_id);
  s.width = par->width;
  s.height = par->height;
  s.time_base_num = st->time_base.num;
  s.time_base_den = st->time_base.den;
  s.extradata.assign(par->extradata, par->extradata + par->extradata_size);
  PacketPtr pkt = make_packet();
  std::vector<bool> seen;
  bool whole = true;
  while (read_stream(fmt.get(), vs, pkt.get(), path)) {
    if (s.frames == 0) {
      const bool nal_codec = par->codec_id == AV_CODEC_ID_H264 || par->codec_id == AV_CODEC_ID_HEVC;
      const bool key = par->codec_id == AV_CODEC_ID_VP9 ? vp9_starts_with_key_frame(pkt->data, size_t(pkt->size))
                       : nal_codec                    ? has_idr(pkt.get(), par)
                                                      : true;
      s.starts_with_idr = (pkt->flags & AV_PKT_FLAG_KEY) && key;
    }
    int64_t f = 0;
    if (pkt->pts == AV_NOPTS_VALUE || !to_frames(pkt->pts, st->time_base, fps, f) || f < 0 || f > (int64_t(1) << 31)) {
      whole = false;
    } else {
      if (size_t(f) >= seen.size()) seen.resize(size_t(f) + 1, false);
      if (seen[size_t(f)]) whole = false;
      seen[size_t(f)] = true;
    }
    ++s.frames;
    av_packet_unref(pkt.get());
  }
  s.whole_frames = whole && int64_t(seen.size()) == s.frames;  // each of 0..frames-1 exactly once
  return s;
}

JoinResult join_segments(const JoinOptions& o) {
  if (o.segments.empty()) throw InputError("join: no segments given");
  if (o.fps.num <= 0 || o.fps.den <= 0) throw InputError("join: fps must be positive");
  if (!o.segment_frames.empty() && o.segment_frames.size() != o.segments.size())
    throw InputError("join: segment_frames must give one count per segment");
  JoinResult r;
  for (const auto& p : o.segments) r.segments.push_back(inspect_segment(p, o.fps));
  check_segments(o, r.segments);

  OutputFile out(o.output);
  InputContextPtr first = open_input(o.segments.front());
  const AVRational frame_tb{int(o.fps.den), int(o.fps.num)};
  AVStream* vout = out.add_stream(first->streams[video_stream_of(first.get(), o.segments.front())]->codecpar, frame_tb);
  vout->avg_frame_rate = AVRational{int(o.fps.num), int(o.fps.den)};
  InputContextPtr audio;
  int ain = -1;
  AVStream* aout = nullptr;
  if (!o.audio.empty()) {
    audio = open_input(o.audio);
    ain = av_find_best_stream(audio.get(), AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
    if (ain < 0) throw InputError("join: '" + o.audio + "' has no audio stream");
    aout = out.add_stream(audio->streams[ain]->codecpar, audio->streams[ain]->time_base);
  }
  out.write_header();

  // Opus into Matroska/WebM: the blocks go `initial_padding` later than the decoder's pts, as
  // Muxer::add_stream does for one-pass exports (libavformat <= 59.30 writes CodecDelay but not
  // this offset, then shifts every stream by the pre-skip: video would start 6.5 ms late).
  int64_t audio_offset = 0;
#if LIBAVFORMAT_VERSION_INT <= AV_VERSION_INT(59, 30, 100)
  if (aout) {
    const std::string container = out.ctx()->oformat->name;
    const AVCodecParameters* apar = audio->streams[ain]->codecpar;
    if (apar->codec_id == AV_CODEC_ID_OPUS && apar->initial_padding > 0 &&
        (container == "webm" || container == "matroska"))
      audio_offset = av_rescale_q(apar->initial_padding, AVRational{1, 48000}, audio->streams[ain]->time_base);
  }
#endif
  PacketPtr apkt = make_packet();
  bool apending = audio && read_stream(audio.get(), ain, apkt.get(), o.audio);
  // Audio packets up to video time (dts `until` in frame_tb) go first: interleaved by dts as
  // written, so the muxer's interleaving queue stays short.
  auto audio_until = [&](int64_t until, bool all) {
    const AVRational atb = audio ? audio->streams[ain]->time_base : AVRational{1, 1};
    while (apending && (all || av_compare_ts(apkt->dts, atb, until, frame_tb) <= 0)) {
      apkt->stream_index = aout->index;
      if (apkt->pts != AV_NOPTS_VALUE) apkt->pts += audio_offset;
      if (apkt->dts != AV_NOPTS_VALUE) apkt->dts += audio_offset;
      av_packet_rescale_ts(apkt.get(), atb, aout->time_base);
      apkt->pos = -1;
      out.write(apkt.get());
      ++r.audio_packets;
      apending = read_stream(audio.get(), ain, apkt.get(), o.audio);
    }
  };
  PacketPtr pkt = make_packet();
  int64_t offset = 0;
  for (size_t i = 0; i < o.segments.size(); ++i) {
    InputContextPtr in = i == 0 ? std::move(first) : open_input(o.segments[i]);
    const int vs = video_stream_of(in.get(), o.segments[i]);
    const AVRational tb = in->streams[vs]->time_base;
    int64_t n = 0;
    while (read_stream(in.get(), vs, pkt.get(), o.segments[i])) {
      int64_t pts = 0, dts = 0, dur = 1;
      if (!to_frames(pkt->pts, tb, o.fps, pts) || !to_frames(pkt->dts == AV_NOPTS_VALUE ? pkt->pts : pkt->dts, tb, o.fps, dts))
        throw InputError("segment " + std::to_string(i) + " ('" + o.segments[i] + "') changed while joining");
      if (pkt->duration > 0 && !to_frames(pkt->duration, tb, o.fps, dur)) dur = 1;
      pkt->pts = pts + offset;
      pkt->dts = dts + offset;
      pkt->duration = dur;
      pkt->stream_index = vout->index;
      pkt->pos = -1;
      audio_until(pkt->dts, false);
      av_packet_rescale_ts(pkt.get(), frame_tb, vout->time_base);
      out.write(pkt.get());
      ++n;
    }
    if (n != r.segments[i].frames)
      throw InputError("segment " + std::to_string(i) + " ('" + o.segments[i] + "') changed while joining");
    offset += n;
  }
  audio_until(0, true);
  out.commit();
  r.path = o.output;
  r.frames = offset;
  return r;
}

}  // namespace reelforge
