#include "audio/audio_source.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "media/media_warnings.h"
#include "util/errors.h"

extern "C" {
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
}

namespace reelforge {

namespace {
// Decoding starts this long before trim_start after a seek: MDCT codecs (AAC, Vorbis, Opus) and
// mp3's bit reservoir need previous packets, so the first frames after a seek are not usable.
constexpr double kPrerollSeconds = 0.2;
// Input samples fed to the resampler before the trim point: more than half of soxr's 28-bit filter
// (a few hundred taps at the lower rate) for input rates up to 192 kHz.
constexpr int64_t kWarmupInputSamples = 2048;

bool set_soxr(SwrContext* swr) {
  return av_opt_set_int(swr, "resampler", SWR_ENGINE_SOXR, 0) >= 0 && av_opt_set_double(swr, "precision", 28.0, 0) >= 0;
}

void set_long_sinc(SwrContext* swr) {
  av_opt_set_int(swr, "resampler", SWR_ENGINE_SWR, 0);
  av_opt_set_int(swr, "filter_size", 128, 0);
  av_opt_set_int(swr, "phase_shift", 12, 0);
  av_opt_set_double(swr, "cutoff", 0.95, 0);
  av_opt_set_int(swr, "filter_type", SWR_FILTER_TYPE_KAISER, 0);
  av_opt_set_int(swr, "kaiser_beta", 12, 0);
}

// Only our stream's packets are wanted; discarding the rest saves demuxing video/cover art.
void discard_other_streams(OpenStream& s) {
  for (unsigned i = 0; i < s.fmt->nb_streams; ++i)
    if (int(i) != s.stream_index) s.fmt->streams[i]->discard = AVDISCARD_ALL;
}
}  // namespace

double probe_audio_duration(const std::string& path) {
  InputContextPtr fmt = open_input(path);
  const int idx = av_find_best_stream(fmt.get(), AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
  if (idx < 0) throw MediaError("'" + path + "' has no audio stream");
  const AVStream* st = fmt->streams[idx];
  if (st->duration != AV_NOPTS_VALUE && st->duration > 0) {
    // Measured from the file's origin, like AudioSource's positions: a late start adds silence.
    const int64_t lead = st->start_time != AV_NOPTS_VALUE ? st->start_time - file_origin(fmt.get(), st) : 0;
    return (std::max<int64_t>(0, lead) + st->duration) * av_q2d(st->time_base);
  }
  if (fmt->duration != AV_NOPTS_VALUE && fmt->duration > 0) return fmt->duration / double(AV_TIME_BASE);
  return -1.0;
}

AudioSource::AudioSource(const std::string& path, double trim_start)
    : path_(path),
      trim_(std::max(0.0, trim_start)),
      s_(open_stream(path, AVMEDIA_TYPE_AUDIO, /*frame_threads=*/false)),
      pkt_(make_packet()),
      frame_(make_frame()) {
  discard_other_streams(s_);
  seek_to_trim(true);
}

AudioSource::~AudioSource() { av_channel_layout_uninit(&in_layout_); }

void AudioSource::restart() { seek_to_trim(false); }

void AudioSource::seek_to_trim(bool fresh) {
  AVStream* st = s_.stream();
  origin_ = file_origin(s_.fmt.get(), st);  // shared with the file's video: their offset is kept
  const int rate = std::max(1, st->codecpar->sample_rate);
  const double at = trim_ - std::max(kPrerollSeconds, st->codecpar->seek_preroll / double(rate));
  // A fresh stream already sits at its start; otherwise go to the start or just before trim_start.
  // Exactness does not depend on where the seek lands: fill() discards by frame timestamps.
  if (!fresh || at > 0) {
    const int64_t ts = origin_ + (at > 0 ? av_rescale_q(int64_t(at * AV_TIME_BASE), AV_TIME_BASE_Q, st->time_base) : 0);
    if (av_seek_frame(s_.fmt.get(), s_.stream_index, ts, AVSEEK_FLAG_BACKWARD) >= 0) {
      avcodec_flush_buffers(s_.dec.get());
      pos_ = av_rescale_q(ts - origin_, st->time_base, AVRational{1, rate});  // used only if frames lack pts
    } else if (!fresh) {
      s_ = open_stream(path_, AVMEDIA_TYPE_AUDIO, false);  // unseekable input: start over
      discard_other_streams(s_);
      pos_ = 0;
    }  // a fresh stream that cannot seek is decoded from its start and discarded up to trim_start
  }
  swr_.reset();  // its delay line holds samples from before the seek
  in_format_ = -1;
  drop_out_ = 0;
  buf_.clear();
  head_ = 0;
  started_ = eof_ = false;
}

int AudioSource::read(float* out, int n) {
  int done = 0;
  while (done < n) {
    if (head_ == buf_.size() && !fill()) break;
    const int k = int(std::min<size_t>(size_t(n - done), (buf_.size() - head_) / 2));
    std::copy_n(buf_.data() + head_, 2 * size_t(k), out + 2 * size_t(done));
    head_ += 2 * size_t(k);
    done += k;
  }
  return done;
}

bool AudioSource::fill() {
  buf_.clear();
  head_ = 0;
  AVFrame* f = frame_.get();
  while (buf_.empty()) {
    if (eof_) return false;
    if (!decode_next(s_, pkt_.get(), f, path_)) {
      eof_ = true;
      report_early_end();
      if (swr_) convert(nullptr, 0);  // flush the resampler's delay line
      continue;
    }
    const int rate = f->sample_rate, nb = f->nb_samples;
    if (rate <= 0 || f->ch_layout.nb_channels <= 0)
      throw MediaError("decoding '" + path_ + "' gave audio without a sample rate or channels");
    int skip = 0;
    if (!started_) {
      // Before the trim point, place each frame by its timestamp and drop what precedes trim_start.
      const int64_t ts = f->best_effort_timestamp != AV_NOPTS_VALUE ? f->best_effort_timestamp : f->pts;
      if (ts != AV_NOPTS_VALUE) pos_ = av_rescale_q(ts - origin_, s_.stream()->time_base, AVRational{1, rate});
      const int64_t target = std::llround(trim_ * rate);
      // Resampled input starts a little before the trim point and the matching output is dropped,
      // so the filter has real history and a mid-signal trim does not ring. The warm-up is a whole
      // number of in/out periods (147 in = 160 out for 44.1 kHz) to keep the cut sample-exact.
      const int64_t g = std::gcd<int64_t>(rate, kSampleRate), in_step = rate / g, out_step = kSampleRate / g;
      int64_t warm = rate == kSampleRate || in_step > 4096 ? 0 : (kWarmupInputSamples + in_step - 1) / in_step * in_step;
      if (pos_ + nb <= target - warm) {
        pos_ += nb;
        av_frame_unref(f);
        continue;
      }
      if (pos_ < target) {
        warm = std::min(warm, (target - pos_) / in_step * in_step);  // only as much history as exists
        if (target - warm - pos_ >= nb) {  // (short frame) the warm-up starts in a later frame
          pos_ += nb;
          av_frame_unref(f);
          continue;
        }
        skip = int(target - warm - pos_);
        drop_out_ = warm / in_step * out_step;
      } else if (pos_ > target) {  // the audio starts after the trim point: keep the gap as silence
        buf_.assign(2 * size_t(av_rescale(pos_ - target, kSampleRate, rate)), 0.0f);
      }
      configure(f);
      started_ = true;
    } else {
      configure(f);
      if (s_.damage != damage_seen_) bridge_damage(f);
    }
    // Pointers to the first kept sample of each plane (one plane for packed formats).
    const auto fmt = AVSampleFormat(f->format);
    const bool planar = av_sample_fmt_is_planar(fmt);
    const int channels = f->ch_layout.nb_channels;
    const size_t offset = size_t(skip) * av_get_bytes_per_sample(fmt) * (planar ? 1 : channels);
    std::vector<const uint8_t*> in(planar ? channels : 1);
    for (size_t p = 0; p < in.size(); ++p) in[p] = f->extended_data[p] + offset;
    convert(in.data(), nb - skip);
    pos_ += nb;
    av_frame_unref(f);
  }
  return true;
}

void AudioSource::report_early_end() {
  // Damage a demuxer cannot resync past (Matroska) ends the stream early without an error.
  const double declared = s_.fmt->duration != AV_NOPTS_VALUE ? s_.fmt->duration / double(AV_TIME_BASE) : 0.0;
  const double end = in_rate_ > 0 ? double(pos_) / in_rate_ : 0.0;
  if (!started_ || declared <= end + 0.5) return;
  char when[64];
  std::snprintf(when, sizeof when, "%.3f s, before its declared %.3f s", end, declared);
  warn_media("'" + path_ + "': audio ends at " + when + " (truncated or damaged file?): silence follows");
}

void AudioSource::bridge_damage(const AVFrame* f) {
  damage_seen_ = s_.damage;
  const int rate = f->sample_rate;
  char when[32];
  std::snprintf(when, sizeof when, "%.3f", double(pos_) / rate);
  warn_media("'" + path_ + "': damaged audio data after " + when + " s (" + s_.damage_text +
             "): skipped, silence in its place");
  // Packets lost to the damage leave a gap in the timestamps: fill it with silence, so what
  // follows keeps its place (and the sync with the file's video).
  const int64_t ts = f->best_effort_timestamp != AV_NOPTS_VALUE ? f->best_effort_timestamp : f->pts;
  if (ts == AV_NOPTS_VALUE) return;
  const int64_t at = av_rescale_q(ts - origin_, s_.stream()->time_base, AVRational{1, rate});
  // Gaps under 2 ms are timestamp rounding (MKV: 1 ms); over 10 s a wild timestamp, not trusted
  // (and the silence would be buffered in swr at once).
  if (at - pos_ > rate / 500 && at - pos_ <= int64_t(rate) * 10) {
    if (swr_inject_silence(swr_.get(), int(at - pos_)) >= 0) pos_ = at;
  }
}

void AudioSource::configure(const AVFrame* f) {
  AVChannelLayout layout{};
  if (f->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC)  // e.g. raw wav: assume the usual layout
    av_channel_layout_default(&layout, f->ch_layout.nb_channels);
  else if (av_channel_layout_copy(&layout, &f->ch_layout) < 0)
    throw std::bad_alloc();
  if (swr_ && f->format == in_format_ && f->sample_rate == in_rate_ && !av_channel_layout_compare(&layout, &in_layout_)) {
    av_channel_layout_uninit(&layout);
    return;
  }
  if (swr_) convert(nullptr, 0);  // the format changed mid-stream: drain the old resampler first
  av_channel_layout_uninit(&in_layout_);
  in_layout_ = layout;  // takes ownership
  in_format_ = f->format;
  in_rate_ = f->sample_rate;
  SwrContext* raw = nullptr;
  AVChannelLayout stereo = AV_CHANNEL_LAYOUT_STEREO;  // FFmpeg 5.1 takes it non-const
  int err = swr_alloc_set_opts2(&raw, &stereo, AV_SAMPLE_FMT_FLT, kSampleRate, &in_layout_, AVSampleFormat(in_format_),
                                in_rate_, 0, nullptr);
  swr_.reset(raw);
  // SoX's resampler at 28-bit precision: images and aliases below -130 dB (swr's default 32-tap
  // filter leaves a 20 kHz tone's image at 44.1 -> 48 kHz at -29.5 dB). Builds of libswresample
  // without soxr fall back to a long windowed-sinc swr filter (~ -90 dB).
  const bool soxr = in_rate_ != kSampleRate && err >= 0 && set_soxr(swr_.get());
  if (err >= 0 && in_layout_.nb_channels == 1) {
    // swr's default puts mono at -3 dB in each channel; a mono clip should play at its own level.
    const double unity[2] = {1.0, 1.0};
    err = swr_set_matrix(swr_.get(), unity, 1);
  }
  if (err >= 0) err = swr_init(swr_.get());
  if (err < 0 && soxr) {  // (not compiled in) the best swr engine instead
    set_long_sinc(swr_.get());
    err = swr_init(swr_.get());
  }
  if (err < 0) throw MediaError("cannot resample audio of '" + path_ + "': " + av_error_text(err));
}

void AudioSource::convert(const uint8_t* const* in, int count) {
  const int cap = swr_get_out_samples(swr_.get(), count);
  if (cap <= 0) return;
  const size_t old = buf_.size();
  buf_.resize(old + 2 * size_t(cap));
  auto* out = reinterpret_cast<uint8_t*>(buf_.data() + old);
  const int got = swr_convert(swr_.get(), &out, cap, const_cast<const uint8_t**>(in), count);
  if (got < 0) throw MediaError("resampling audio of '" + path_ + "' failed: " + av_error_text(got));
  const int drop = int(std::min<int64_t>(drop_out_, got));  // warm-up output before the trim point
  drop_out_ -= drop;
  buf_.erase(buf_.begin() + old, buf_.begin() + old + 2 * size_t(drop));
  buf_.resize(old + 2 * size_t(got - drop));
}

}  // namespace reelforge
