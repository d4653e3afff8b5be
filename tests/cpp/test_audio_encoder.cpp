// AudioEncoder (src/media/audio_encoder.h) and its send/receive drain: a generated tone is encoded
// into a packet list (the sink), then checked for packet count, pts spacing and monotonicity, and
// decoded back with FFmpeg's own decoder as the reference.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "media/audio_encoder.h"

using reelforge::AudioEncoder;

namespace {

constexpr int kRate = 48000;

struct Packet {
  int64_t pts, dts, duration;
  std::vector<uint8_t> data;
};

// Interleaved stereo: a 1 kHz sine left, 440 Hz right, at `amp`.
std::vector<float> tone(int n, float amp) {
  std::vector<float> s(2 * size_t(n));
  for (int i = 0; i < n; ++i) {
    s[2 * size_t(i)] = amp * float(std::sin(2 * M_PI * 1000.0 * i / kRate));
    s[2 * size_t(i) + 1] = amp * float(std::sin(2 * M_PI * 440.0 * i / kRate));
  }
  return s;
}

// Feeds `in` in encoder-frame chunks with pts = first sample index, then flushes.
std::vector<Packet> encode_all(AudioEncoder& enc, const std::vector<float>& in) {
  std::vector<Packet> out;
  auto sink = [&](AVPacket* p) {
    out.push_back({p->pts, p->dts, p->duration, std::vector<uint8_t>(p->data, p->data + p->size)});
  };
  const int n = int(in.size() / 2), fs = enc.frame_samples();
  for (int first = 0; first < n; first += fs) enc.encode(&in[2 * size_t(first)], std::min(fs, n - first), first, sink);
  enc.flush(sink);
  return out;
}

const AVOutputFormat* container(const char* filename) {
  const AVOutputFormat* of = av_guess_format(nullptr, filename, nullptr);
  REQUIRE(of != nullptr);
  return of;
}

// Decodes the packets with FFmpeg's decoder for `enc`'s codec; returns interleaved stereo floats.
std::vector<float> decode_all(const AudioEncoder& enc, const std::vector<Packet>& packets) {
  const AVCodec* codec = avcodec_find_decoder(enc.ctx()->codec_id);
  REQUIRE(codec != nullptr);
  reelforge::CodecContextPtr dec(avcodec_alloc_context3(codec));
  AVCodecParameters* par = avcodec_parameters_alloc();
  REQUIRE(avcodec_parameters_from_context(par, enc.ctx()) >= 0);
  REQUIRE(avcodec_parameters_to_context(dec.get(), par) >= 0);
  avcodec_parameters_free(&par);
  REQUIRE(avcodec_open2(dec.get(), codec, nullptr) >= 0);
  std::vector<float> out;
  reelforge::FramePtr frame = reelforge::make_frame();
  reelforge::PacketPtr pkt = reelforge::make_packet();
  auto receive = [&] {
    while (avcodec_receive_frame(dec.get(), frame.get()) >= 0) {
      const int ch = frame->ch_layout.nb_channels;
      REQUIRE(ch == 2);
      for (int i = 0; i < frame->nb_samples; ++i)
        for (int c = 0; c < 2; ++c) {
          float v = 0;
          switch (frame->format) {
            case AV_SAMPLE_FMT_FLTP: v = reinterpret_cast<const float*>(frame->data[c])[i]; break;
            case AV_SAMPLE_FMT_FLT: v = reinterpret_cast<const float*>(frame->data[0])[2 * i + c]; break;
            case AV_SAMPLE_FMT_S16: v = reinterpret_cast<const int16_t*>(frame->data[0])[2 * i + c] / 32768.0f; break;
            case AV_SAMPLE_FMT_S16P: v = reinterpret_cast<const int16_t*>(frame->data[c])[i] / 32768.0f; break;
            default: FAIL("unexpected decoder sample format");
          }
          out.push_back(v);
        }
    }
  };
  for (const Packet& p : packets) {
    REQUIRE(av_new_packet(pkt.get(), int(p.data.size())) >= 0);
    std::memcpy(pkt->data, p.data.data(), p.data.size());
    pkt->pts = p.pts;
    REQUIRE(avcodec_send_packet(dec.get(), pkt.get()) >= 0);
    av_packet_unref(pkt.get());
    receive();
  }
  avcodec_send_packet(dec.get(), nullptr);
  receive();
  return out;
}

// Signal-to-noise ratio in dB of `got` (starting `offset` samples in) against `ref`.
double snr_db(const std::vector<float>& ref, const std::vector<float>& got, size_t offset) {
  double sig = 0, err = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    const double d = double(got[2 * offset + i]) - ref[i];
    sig += double(ref[i]) * ref[i];
    err += d * d;
  }
  return 10 * std::log10(sig / std::max(err, 1e-30));
}

void check_pts_spacing(const std::vector<Packet>& packets, int64_t first, int64_t step) {
  bool spaced = true, monotonic = true;
  for (size_t k = 0; k < packets.size(); ++k) {
    spaced &= packets[k].pts == first + int64_t(k) * step;
    if (k) monotonic &= packets[k].pts > packets[k - 1].pts && packets[k].dts > packets[k - 1].dts;
  }
  CHECK(spaced);
  CHECK(monotonic);
}

}  // namespace

TEST_CASE("audio encoder: AAC (fast coder) packet count, pts from -priming, decodes back to the tone") {
  AudioEncoder enc(container("x.mp4"), 192000, true);
  CHECK(std::string(enc.name()) == "aac");
  CHECK(enc.frame_samples() == 1024);
  CHECK(enc.chunkable());
  const int n = kRate + 517;  // not a whole number of 1024-sample frames
  const auto in = tone(n, 0.5f);
  const auto packets = encode_all(enc, in);
  const int pad = enc.ctx()->initial_padding;
  CHECK(pad == 1024);
  // Every input sample plus the priming comes out, in whole frames.
  CHECK(packets.size() == size_t((n + pad + 1023) / 1024));
  check_pts_spacing(packets, -pad, 1024);
  // The AAC decoder keeps the priming: the input starts `pad` samples into its output.
  const auto decoded = decode_all(enc, packets);
  REQUIRE(decoded.size() == 2 * packets.size() * 1024);
  CHECK(snr_db(in, decoded, size_t(pad)) > 25.0);
}

TEST_CASE("audio encoder: AAC below 128 kb/s uses twoloop and is not chunkable") {
  AudioEncoder enc(container("x.m4a"), 96000, true);
  CHECK_FALSE(enc.chunkable());
  const auto packets = encode_all(enc, tone(4096, 0.25f));
  CHECK(packets.size() == size_t((4096 + 1024 + 1023) / 1024));
  check_pts_spacing(packets, -1024, 1024);
}

TEST_CASE("audio encoder: WAV PCM is the clamped input plus TPDF dither, one packet per call") {
  AudioEncoder enc(container("x.wav"), 0, false);
  CHECK(std::string(enc.name()) == "pcm_s16le");
  const int n = 3000;
  auto in = tone(n, 1.5f);  // clips: encoded values must be clamped to [-1, 1]
  std::vector<Packet> packets;
  auto sink = [&](AVPacket* p) {
    packets.push_back({p->pts, p->dts, p->duration, std::vector<uint8_t>(p->data, p->data + p->size)});
  };
  enc.encode(in.data(), 1000, 0, sink);
  enc.encode(in.data() + 2000, 2000, 1000, sink);
  enc.flush(sink);
  REQUIRE(packets.size() == 2);
  CHECK(packets[0].pts == 0);
  CHECK(packets[1].pts == 1000);
  std::vector<int16_t> pcm;
  for (const Packet& p : packets) {
    const size_t k = pcm.size();
    pcm.resize(k + p.data.size() / 2);
    std::memcpy(&pcm[k], p.data.data(), p.data.size());
  }
  REQUIRE(pcm.size() == 2 * size_t(n));
  // TPDF dither (audio/dither.h): error within (-1, 1) LSB of noise plus 0.5 of rounding, mean ~0.
  int wrong = 0;
  double sum = 0;
  for (size_t i = 0; i < pcm.size(); ++i) {
    const double err = pcm[i] - std::clamp(double(in[i]), -1.0, 1.0) * 32767.0;
    wrong += std::abs(err) > 1.5 + 1e-3 && !(pcm[i] == 32767 || pcm[i] == -32768);
    sum += err;
  }
  CHECK(wrong == 0);
  CHECK(std::abs(sum / double(pcm.size())) < 0.1);
}

TEST_CASE("audio encoder: Opus for WebM, 20 ms packets, monotonic pts, decodes back") {
  AudioEncoder enc(container("x.webm"), 128000, true);
  CHECK(std::string(enc.name()) == "libopus");
  CHECK(enc.frame_samples() == 960);
  const int n = kRate / 2;
  const auto in = tone(n, 0.5f);
  const auto packets = encode_all(enc, in);
  const int pad = enc.ctx()->initial_padding;
  CHECK(packets.size() == size_t((n + pad + 959) / 960));
  check_pts_spacing(packets, -pad, 960);
  const auto decoded = decode_all(enc, packets);
  // FFmpeg's Opus decoder drops the pre-skip (OpusHead) itself: output starts at sample 0.
  REQUIRE(decoded.size() == 2 * (packets.size() * 960 - size_t(pad)));
  CHECK(snr_db(in, decoded, 0) > 30.0);
}

TEST_CASE("audio encoder: a throwing sink propagates out of encode()") {
  AudioEncoder enc(container("x.wav"), 0, false);
  const auto in = tone(100, 0.1f);
  CHECK_THROWS_WITH(enc.encode(in.data(), 100, 0, [](AVPacket*) { throw std::runtime_error("sink full"); }),
                    "sink full");
}
