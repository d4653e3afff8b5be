#include "media/audio_encoder.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "util/errors.h"

namespace reelforge {

namespace {
const char* encoder_for(const AVOutputFormat* of) {
  const std::string n = of->name;
  // Matroska too: its CodecDelay signals Opus's pre-skip, but libavformat (up to 6.0) writes no
  // CodecDelay for AAC, so AAC's 1024-sample priming would shift the video to 21 ms and leave the
  // decoded audio 24 ms longer than the video. With Opus, MKV starts and ends like MP4.
  if (n.find("webm") != std::string::npos || n == "matroska" || n == "ogg" || n == "opus") return "libopus";
  if (n == "wav") return "pcm_s16le";
  if (n == "mp3") return "libmp3lame";
  if (n == "flac") return "flac";
  if (n == "oga") return "libopus";  // audio-only Ogg: Opus, as .opus and .ogg
  return "aac";
}
}  // namespace

AudioEncoder::AudioEncoder(const AVOutputFormat* of, int64_t bitrate, bool global_header)
    : frame_(make_frame()), pkt_(make_packet()) {
  const char* name = encoder_for(of);
  const AVCodec* codec = avcodec_find_encoder_by_name(name);
  if (!codec) throw EncoderError(std::string("audio encoder '") + name + "' is not available in this FFmpeg build");
  ctx_.reset(avcodec_alloc_context3(codec));
  if (!ctx_) throw std::bad_alloc();
  ctx_->sample_rate = 48000;
  ctx_->time_base = AVRational{1, 48000};
  av_channel_layout_default(&ctx_->ch_layout, 2);
  // Prefer planar float (aac, opus); fall back to the encoder's first format (pcm_s16le, mp3).
  ctx_->sample_fmt = codec->sample_fmts ? codec->sample_fmts[0] : AV_SAMPLE_FMT_FLTP;
  for (const AVSampleFormat* f = codec->sample_fmts; f && *f != AV_SAMPLE_FMT_NONE; ++f)
    if (*f == AV_SAMPLE_FMT_FLTP || *f == AV_SAMPLE_FMT_FLT) { ctx_->sample_fmt = *f; break; }
  if (std::strncmp(name, "pcm", 3) != 0) ctx_->bit_rate = bitrate;
  if (global_header) ctx_->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  AVDictionary* opts = nullptr;
  // FFmpeg's own AAC encoder: at >= 64 kb/s per channel its "fast" coder sounds better than the
  // default "twoloop" and needs a fraction of the CPU (FFmpeg commit fcb681ac, "aacenc: use the
  // fast coder as the default"); twoloop stays for low bitrates, where it is the better one.
  const bool fast_aac = std::strcmp(name, "aac") == 0 && bitrate >= 128000;
  if (fast_aac) av_dict_set(&opts, "aac_coder", "fast", 0);
  int err = avcodec_open2(ctx_.get(), codec, &opts);
  av_dict_free(&opts);
  if (err < 0) throw EncoderError(std::string("cannot open audio encoder '") + name + "': " + av_error_text(err));
  chunkable_ = fast_aac && frame_samples() == 1024;
}

int AudioEncoder::frame_samples() const { return ctx_->frame_size > 0 ? ctx_->frame_size : 1024; }

void AudioEncoder::encode(const float* in, int n, int64_t pts, const PacketSink& sink) {
  av_frame_unref(frame_.get());
  frame_->nb_samples = n;
  frame_->format = ctx_->sample_fmt;
  frame_->sample_rate = 48000;
  av_channel_layout_copy(&frame_->ch_layout, &ctx_->ch_layout);
  int err = av_frame_get_buffer(frame_.get(), 0);
  if (err < 0) throw std::bad_alloc();
  switch (ctx_->sample_fmt) {
    case AV_SAMPLE_FMT_FLTP: {
      auto* l = reinterpret_cast<float*>(frame_->data[0]);
      auto* r = reinterpret_cast<float*>(frame_->data[1]);
      for (int i = 0; i < n; ++i) l[i] = in[2 * i], r[i] = in[2 * i + 1];
      break;
    }
    case AV_SAMPLE_FMT_FLT: std::memcpy(frame_->data[0], in, sizeof(float) * 2 * size_t(n)); break;
    case AV_SAMPLE_FMT_S16: {
      auto* d = reinterpret_cast<int16_t*>(frame_->data[0]);
      dither_.convert(in, 1, d, 1, size_t(2 * n));
      break;
    }
    case AV_SAMPLE_FMT_S16P: {
      auto* l = reinterpret_cast<int16_t*>(frame_->data[0]);
      auto* r = reinterpret_cast<int16_t*>(frame_->data[1]);
      dither_.convert(in, 2, l, 1, size_t(n));
      dither_.convert(in + 1, 2, r, 1, size_t(n));
      break;
    }
    default: throw EncoderError("unsupported audio encoder sample format");
  }
  frame_->pts = pts;
  encode_and_drain(ctx_.get(), frame_.get(), pkt_.get(), sink, "audio");
}

void AudioEncoder::flush(const PacketSink& sink) { encode_and_drain(ctx_.get(), nullptr, pkt_.get(), sink, "audio"); }

}  // namespace reelforge
