// Opening a video encoder: `encoder="auto"` walks hardware encoders first, then the software one,
// recording why each was refused. The codec table says, per output codec, which containers may
// hold it and what the pipeline feeds it: NV12 from the GPU (h264, hevc, vp9: the fast path), or
// the compositor's RGBA readback converted on the CPU by RgbaConverter (prores 4444 with alpha,
// gif, png sequences).
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "media/encode_loop.h"
#include "media/ffmpeg_ptr.h"
#include "util/rational.h"

namespace reelforge {

struct VideoEncodeOptions {
  std::string codec = "h264";     // h264 | hevc | vp9 | prores | gif | png ("auto": from the path)
  std::string encoder = "auto";   // auto, or a libavcodec encoder name (libx264, h264_nvenc, ...)
  int crf = -1;                   // constant quality (x264/x265 crf 0..51, nvenc cq, libvpx crf 0..63); -1: codec default
  std::string preset = "veryfast";
  int64_t bitrate = 0;            // > 0: average-bitrate mode instead of constant quality
  int gop = 0;                    // keyframe interval in frames; 0: 2 seconds
  int threads = 0;                // encoder threads; 0: FFmpeg picks per core (segments pin it: x264's bytes depend on it)
};

// What the export pipeline reads back from the GPU for a codec.
enum class FrameInput { Nv12, Rgba };

struct CodecSpec {
  std::string codec;                    // h264, hevc, vp9, prores, gif, png
  AVCodecID id = AV_CODEC_ID_NONE;
  std::vector<std::string> extensions;  // containers that may hold it (lower case, with the dot); empty: image sequence
  FrameInput input = FrameInput::Nv12;
  AVPixelFormat pix_fmt = AV_PIX_FMT_NONE;  // RGBA-fed codecs: what RgbaConverter makes
  bool audio = true;                    // the output carries the audio track
  int crf_max = 0;                      // 0: no constant-quality knob (crf and bitrate are ignored)
  int crf_default = 0;
  int max_side = 0;                     // largest width or height its encoders take; 0: FFmpeg's limit only
};

// All codecs, in documentation order.
const std::vector<CodecSpec>& codec_specs();
// The spec for `codec` (InputError naming the valid ones if unknown).
const CodecSpec& codec_spec(const std::string& codec);

// x264-style speed presets, fastest first (mapped to NVENC's p1..p7 and libvpx's speeds).
const std::vector<std::string>& presets();

// Checks `opt` against its codec (unknown codec, crf out of its range, negative bitrate or gop):
// InputError. prores, gif and png have no quality knob: crf and bitrate are ignored for them.
void validate_video_options(const VideoEncodeOptions& opt);

// The keyframe interval when none is given: 2 seconds of frames, rounded half up (48 at 24 fps,
// 60 at 30000/1001). Segment plans align to it, so it is the one rule for both.
int default_gop(Rational fps);

// Checks a frame size against the codec's limit (max_side) and FFmpeg's ((w+128)*(h+128) <
// INT_MAX/8, av_image_check_size): InputError naming the limit.
void validate_frame_size(const std::string& codec, int width, int height);

using LogFn = std::function<void(const std::string&)>;

struct OpenedEncoder {
  CodecContextPtr ctx;
  std::string name;
  std::vector<std::string> refusals;  // "encoder: reason" for each encoder tried and refused
};

// Candidate encoder names for `codec`, in the order encoder="auto" tries them.
std::vector<std::string> encoder_candidates(const std::string& codec);

// Opens the first encoder that works (EncoderError listing every refusal if none does). An
// explicitly named encoder is the only candidate (InputError if it does not produce `opt.codec`).
// `global_header`: the container wants extradata.
OpenedEncoder open_video_encoder(const VideoEncodeOptions& opt, int width, int height, Rational fps,
                                 bool global_header, const LogFn& log);

// An opened video encoder (open_video_encoder: hardware first, software fallback) draining
// through encode_and_drain, as AudioEncoder does. Packets carry pts/dts in the encoder's time
// base 1/fps (pts = frame index) and a duration of at least one frame.
class VideoEncoder {
 public:
  VideoEncoder(const VideoEncodeOptions& opt, int width, int height, Rational fps, bool global_header,
               const LogFn& log);
  AVCodecContext* ctx() const { return enc_.ctx.get(); }
  const std::string& name() const { return enc_.name; }
  const std::vector<std::string>& refusals() const { return enc_.refusals; }
  // Encodes `frame` (pts = frame index) and passes the packets now ready to `sink`.
  void encode(const AVFrame* frame, const PacketSink& sink);
  // End of stream: passes the delayed packets to `sink`.
  void flush(const PacketSink& sink);

 private:
  OpenedEncoder enc_;
  PacketPtr pkt_;
};

// Converts the compositor's premultiplied RGBA8 readback into an encoder frame:
//  * yuva444p10le (prores 4444): alpha un-premultiplied (ProRes alpha is straight), then libswscale
//    with the BT.709 matrix, limited range; alpha scaled to 10 bits full range.
//  * rgba (png): straight (un-premultiplied) RGBA8.
//  * pal8 (gif): a fixed palette of 6x7x6 RGB levels (252 colours, every level evenly spaced,
//    green getting the extra level as the eye is most sensitive to it) with 8x8 Bayer ordered
//    dithering. The premultiplied colour is used as is, i.e. the frame over black, as for the
//    opaque NV12 formats. Fixed + ordered keeps frames stable (no palette flicker, no dither
//    crawl on static areas) and costs one table look-up per channel.
// Not thread-safe; one per pipeline.
class RgbaConverter {
 public:
  RgbaConverter(AVPixelFormat dst, int width, int height);
  // `dst` must have format/width/height set and buffers allocated (av_frame_get_buffer).
  void convert(const uint8_t* premultiplied, int stride, AVFrame* dst);
  // The gif palette, ARGB as AVPALETTE wants it (entries 252..255 are unused black).
  static const std::array<uint32_t, 256>& gif_palette();

 private:
  AVPixelFormat dst_;
  int width_, height_;
  std::vector<uint8_t> straight_;  // yuva path: un-premultiplied RGBA before swscale
  SwsPtr sws_;
};

// Straight (un-premultiplied) value of colour `c` under alpha `a`: round(c * 255 / a), clamped;
// 0 where a == 0.
uint8_t unpremultiply(uint8_t c, uint8_t a);

}  // namespace reelforge
