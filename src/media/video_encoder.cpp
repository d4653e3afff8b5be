#include "media/video_encoder.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "media/x264_cpu.h"
#include "util/errors.h"

extern "C" {
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
}

namespace reelforge {

namespace {
struct DictDeleter { void operator()(AVDictionary* d) const { av_dict_free(&d); } };

bool supports(const AVCodec* c, AVPixelFormat f) {
  if (!c->pix_fmts) return true;
  for (const AVPixelFormat* p = c->pix_fmts; *p != AV_PIX_FMT_NONE; ++p)
    if (*p == f) return true;
  return false;
}

// x264-style preset names mapped to NVENC's p1 (fastest) .. p7 (best).
const char* nvenc_preset(const std::string& p) {
  if (p == "ultrafast" || p == "superfast") return "p1";
  if (p == "veryfast") return "p2";
  if (p == "faster" || p == "fast") return "p3";
  if (p == "medium") return "p4";
  if (p == "slow") return "p5";
  if (p == "slower") return "p6";
  return "p7";
}

// x264-style preset names mapped to libvpx's deadline and cpu-used. The fast half uses the
// realtime deadline (single pass, no lookahead: several times faster than "good" on a couple of
// cores); medium and slower use "good" with decreasing cpu-used.
std::pair<const char*, const char*> vpx_speed(const std::string& p) {
  if (p == "ultrafast") return {"realtime", "8"};
  if (p == "superfast") return {"realtime", "7"};
  if (p == "veryfast") return {"realtime", "6"};
  if (p == "faster") return {"realtime", "5"};
  if (p == "fast") return {"good", "4"};
  if (p == "medium") return {"good", "3"};
  if (p == "slow") return {"good", "2"};
  if (p == "slower") return {"good", "1"};
  return {"good", "0"};
}

std::string codec_names() {
  std::string s;
  for (const auto& c : codec_specs()) s += (s.empty() ? "'" : ", '") + c.codec + "'";
  return s;
}
}  // namespace

const std::vector<CodecSpec>& codec_specs() {
  static const std::vector<CodecSpec> specs = {
      {"h264", AV_CODEC_ID_H264, {".mp4", ".mov", ".mkv", ".m4v"}, FrameInput::Nv12, AV_PIX_FMT_NONE, true, 51, 23, 16384},
      {"hevc", AV_CODEC_ID_HEVC, {".mp4", ".mov", ".mkv", ".m4v"}, FrameInput::Nv12, AV_PIX_FMT_NONE, true, 51, 23, 16384},
      {"vp9", AV_CODEC_ID_VP9, {".webm", ".mkv"}, FrameInput::Nv12, AV_PIX_FMT_NONE, true, 63, 31},
      {"prores", AV_CODEC_ID_PRORES, {".mov"}, FrameInput::Rgba, AV_PIX_FMT_YUVA444P10LE, true, 0, 0},
      {"gif", AV_CODEC_ID_GIF, {".gif"}, FrameInput::Rgba, AV_PIX_FMT_PAL8, false, 0, 0, 65535},
      {"png", AV_CODEC_ID_PNG, {}, FrameInput::Rgba, AV_PIX_FMT_RGBA, false, 0, 0},
  };
  return specs;
}

const CodecSpec& codec_spec(const std::string& codec) {
  for (const auto& c : codec_specs())
    if (c.codec == codec) return c;
  throw InputError("unknown video_codec '" + codec + "': use one of " + codec_names());
}

const std::vector<std::string>& presets() {
  static const std::vector<std::string> p = {"ultrafast", "superfast", "veryfast", "faster", "fast",
                                             "medium",    "slow",      "slower",   "veryslow"};
  return p;
}

std::vector<std::string> encoder_candidates(const std::string& codec) {
  if (codec == "h264") return {"h264_nvenc", "h264_vaapi", "h264_qsv", "libx264"};
  if (codec == "hevc") return {"hevc_nvenc", "hevc_vaapi", "hevc_qsv", "libx265"};
  // Hardware VP9 encoders (VAAPI, QSV) need hardware frames this pipeline does not make.
  if (codec == "vp9") return {"libvpx-vp9"};
  if (codec == "prores") return {"prores_ks"};  // the encoder with 4444 + alpha
  if (codec == "gif") return {"gif"};
  if (codec == "png") return {"png"};
  codec_spec(codec);  // throws naming the valid codecs
  return {};
}

int default_gop(Rational fps) {
  // floor(2 * num / den + 1/2) in integers: no float rounding at odd rates.
  return int(std::max<int64_t>(1, (4 * int64_t(fps.num) + int64_t(fps.den)) / (2 * int64_t(fps.den))));
}

void validate_video_options(const VideoEncodeOptions& opt) {
  const CodecSpec& spec = codec_spec(opt.codec);
  if (opt.gop < 0) throw InputError("gop must be a positive number of frames (0: 2 seconds), got " + std::to_string(opt.gop));
  if (opt.bitrate < 0) throw InputError("bitrate must be > 0 bits per second (0: constant quality), got " + std::to_string(opt.bitrate));
  if (opt.encoder.empty()) throw InputError("encoder must be 'auto' or a libavcodec encoder name, got ''");
  const auto& p = presets();
  if (std::find(p.begin(), p.end(), opt.preset) == p.end()) {
    std::string names;
    for (const auto& n : p) names += (names.empty() ? "'" : ", '") + n + "'";
    throw InputError("unknown preset '" + opt.preset + "': use one of " + names);
  }
  if (spec.crf_max == 0) return;  // prores, gif, png: no quality knob; crf and bitrate are ignored
  if (opt.crf < -1 || opt.crf > spec.crf_max)
    throw InputError("crf must be in 0.." + std::to_string(spec.crf_max) + " for " + opt.codec + ", got " +
                     std::to_string(opt.crf));
}

void validate_frame_size(const std::string& codec, int w, int h) {
  const CodecSpec& spec = codec_spec(codec);
  const std::string size = std::to_string(w) + "x" + std::to_string(h);
  if (spec.max_side > 0 && (w > spec.max_side || h > spec.max_side))
    throw InputError("a " + size + " scene is too large for video_codec '" + codec + "': its encoders take at most " +
                     std::to_string(spec.max_side) + " pixels per side; make the scene smaller or export in parts");
  if (av_image_check_size(unsigned(w), unsigned(h), 0, nullptr) < 0)
    throw InputError("a " + size + " scene is too large for FFmpeg's encoders: (width + 128) x (height + 128) must be "
                     "under 268435456 pixels (e.g. 16384x16000); make the scene smaller");
}

OpenedEncoder open_video_encoder(const VideoEncodeOptions& opt, int width, int height, Rational fps,
                                 bool global_header, const LogFn& log) {
  validate_video_options(opt);
  const CodecSpec& spec = codec_spec(opt.codec);
  const int crf_value = opt.crf >= 0 ? opt.crf : spec.crf_default;
  OpenedEncoder out;
  std::vector<std::string> names = encoder_candidates(opt.codec);
  const bool automatic = opt.encoder == "auto";
  if (!automatic) names = {opt.encoder};
  for (const std::string& name : names) {
    auto refuse = [&](const std::string& why) {
      out.refusals.push_back(name + ": " + why);
      if (log) log("encoder " + name + " refused: " + why);
    };
    const AVCodec* codec = avcodec_find_encoder_by_name(name.c_str());
    if (!codec) {
      if (!automatic) throw InputError("unknown encoder '" + name + "': not available in this FFmpeg build");
      refuse("not available in this FFmpeg build");
      continue;
    }
    if (codec->type != AVMEDIA_TYPE_VIDEO) throw InputError("encoder '" + name + "' is not a video encoder");
    if (codec->id != spec.id)
      throw InputError("encoder '" + name + "' makes " + avcodec_get_name(codec->id) + ", not video_codec '" +
                       opt.codec + "'; name a " + opt.codec + " encoder or use encoder='auto'");
    AVPixelFormat pix;
    if (spec.input == FrameInput::Nv12) {
      pix = supports(codec, AV_PIX_FMT_NV12) ? AV_PIX_FMT_NV12 : AV_PIX_FMT_YUV420P;
    } else {
      pix = spec.pix_fmt;
      if (!supports(codec, pix))
        throw InputError("encoder '" + name + "' does not take " + av_get_pix_fmt_name(pix) + " frames, which video_codec '" +
                         opt.codec + "' needs; use encoder='auto'");
    }
    CodecContextPtr ctx(avcodec_alloc_context3(codec));
    if (!ctx) throw std::bad_alloc();
    ctx->width = width;
    ctx->height = height;
    ctx->time_base = AVRational{int(fps.den), int(fps.num)};
    ctx->framerate = AVRational{int(fps.num), int(fps.den)};
    ctx->pix_fmt = pix;
    ctx->sample_aspect_ratio = AVRational{1, 1};
    ctx->gop_size = opt.gop > 0 ? opt.gop : default_gop(fps);
    if (spec.codec == "png" || spec.codec == "gif") {
      // RGB pixels, sRGB-encoded (png writes an sRGB chunk for these tags).
      ctx->color_primaries = AVCOL_PRI_BT709;
      ctx->color_trc = AVCOL_TRC_IEC61966_2_1;
      ctx->colorspace = AVCOL_SPC_RGB;
      ctx->color_range = AVCOL_RANGE_JPEG;
    } else {
      // Output is BT.709 limited range (DESIGN.md "Colour"): tag it so players convert correctly.
      ctx->color_primaries = AVCOL_PRI_BT709;
      ctx->color_trc = AVCOL_TRC_BT709;
      ctx->colorspace = AVCOL_SPC_BT709;
      ctx->color_range = AVCOL_RANGE_MPEG;
    }
    ctx->thread_count = opt.threads;
    if (global_header) ctx->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    AVDictionary* raw = nullptr;
    const std::string crf = std::to_string(crf_value);
    if (name == "libvpx-vp9") {
      const auto [deadline, cpu_used] = vpx_speed(opt.preset);
      av_dict_set(&raw, "deadline", deadline, 0);
      av_dict_set(&raw, "cpu-used", cpu_used, 0);
      av_dict_set(&raw, "row-mt", "1", 0);
      if (std::string(deadline) == "realtime") av_dict_set(&raw, "lag-in-frames", "0", 0);
      if (opt.bitrate <= 0) {
        av_dict_set(&raw, "crf", crf.c_str(), 0);
        ctx->bit_rate = 0;  // with crf: constant quality (libvpx's Q mode), no bitrate target
      }
    } else if (spec.id == AV_CODEC_ID_PRORES) {
      // 4444 carries the alpha plane. Set on the private context: the generic AVCodecContext
      // "profile" option would swallow a dictionary entry of that name.
      ctx->profile = FF_PROFILE_PRORES_4444;
      if (name == "prores_ks" && av_opt_set(ctx->priv_data, "profile", "4444", 0) < 0)
        throw EncoderError("prores_ks refused profile 4444");
    } else if (name.rfind("lib", 0) == 0) {
      av_dict_set(&raw, "preset", opt.preset.c_str(), 0);
      if (opt.bitrate <= 0) av_dict_set(&raw, "crf", crf.c_str(), 0);
      // x264's AVX-512 mbtree reads uninitialised memory at some widths (x264_cpu.h).
      if (const std::string p = name == "libx264" ? x264_params_for_width(width) : ""; !p.empty())
        av_dict_set(&raw, "x264-params", p.c_str(), 0);
    } else if (name.find("nvenc") != std::string::npos) {
      av_dict_set(&raw, "preset", nvenc_preset(opt.preset), 0);
      if (opt.bitrate <= 0) {
        av_dict_set(&raw, "rc", "vbr", 0);
        av_dict_set(&raw, "cq", crf.c_str(), 0);
      }
    } else if (name.find("qsv") != std::string::npos) {
      if (opt.bitrate <= 0) ctx->global_quality = crf_value;
    } else if (name.find("vaapi") != std::string::npos) {
      if (opt.bitrate <= 0) av_dict_set(&raw, "qp", crf.c_str(), 0);
    }
    if (opt.bitrate > 0 && spec.crf_max > 0) {
      ctx->bit_rate = opt.bitrate;
      ctx->rc_max_rate = opt.bitrate * 2;
      ctx->rc_buffer_size = int(std::min<int64_t>(opt.bitrate * 2, INT32_MAX));
    }
    std::unique_ptr<AVDictionary, DictDeleter> dict(raw);
    AVDictionary* d = dict.release();
    const int err = avcodec_open2(ctx.get(), codec, &d);
    dict.reset(d);
    if (err < 0) {
      if (!automatic)
        throw EncoderError("encoder '" + name + "' could not be opened: " + av_error_text(err));
      refuse(av_error_text(err));
      continue;
    }
    if (const AVDictionaryEntry* left = av_dict_get(dict.get(), "", nullptr, AV_DICT_IGNORE_SUFFIX); left && log)
      log("encoder " + name + " ignored option " + left->key);
    out.ctx = std::move(ctx);
    out.name = name;
    return out;
  }
  std::string msg = "no " + opt.codec + " encoder could be opened:";
  for (const auto& r : out.refusals) msg += "\n  " + r;
  throw EncoderError(msg);
}

VideoEncoder::VideoEncoder(const VideoEncodeOptions& opt, int width, int height, Rational fps, bool global_header,
                           const LogFn& log)
    : enc_(open_video_encoder(opt, width, height, fps, global_header, log)), pkt_(make_packet()) {}

void VideoEncoder::encode(const AVFrame* frame, const PacketSink& sink) {
  // Some encoders (gif, png) leave the duration 0: one frame, so the last frame has a length.
  encode_and_drain(ctx(), frame, pkt_.get(), [&](AVPacket* p) {
    if (p->duration == 0) p->duration = 1;
    sink(p);
  }, "video");
}

void VideoEncoder::flush(const PacketSink& sink) { encode(nullptr, sink); }

// -- RGBA readback -> encoder frames ----------------------------------------------------------

namespace {
// unpremultiply() for every (alpha, colour) pair: 64 KiB, built once.
const uint8_t* unpremultiply_table() {
  static const std::vector<uint8_t> table = [] {
    std::vector<uint8_t> t(256 * 256);
    for (int a = 1; a < 256; ++a)
      for (int c = 0; c < 256; ++c) t[size_t(a) * 256 + c] = uint8_t(std::min(255, (c * 255 + a / 2) / a));
    return t;
  }();
  return table.data();
}

void unpremultiply_row(const uint8_t* src, uint8_t* dst, int width) {
  const uint8_t* lut = unpremultiply_table();
  for (int x = 0; x < width; ++x, src += 4, dst += 4) {
    const uint8_t a = src[3];
    if (a == 255) {
      std::memcpy(dst, src, 4);
    } else {
      const uint8_t* row = lut + size_t(a) * 256;
      dst[0] = row[src[0]], dst[1] = row[src[1]], dst[2] = row[src[2]], dst[3] = a;
    }
  }
}

constexpr int kLevelsR = 6, kLevelsG = 7, kLevelsB = 6;

// 8x8 Bayer matrix (0..63).
constexpr uint8_t kBayer[8][8] = {
    {0, 32, 8, 40, 2, 34, 10, 42},  {48, 16, 56, 24, 50, 18, 58, 26}, {12, 44, 4, 36, 14, 46, 6, 38},
    {60, 28, 52, 20, 62, 30, 54, 22}, {3, 35, 11, 43, 1, 33, 9, 41},  {51, 19, 59, 27, 49, 17, 57, 25},
    {15, 47, 7, 39, 13, 45, 5, 37}, {63, 31, 55, 23, 61, 29, 53, 21}};

// Ordered dithering: level = floor(v * (L-1) / 255 + (2b+1)/128) for Bayer value b, so the mean
// level over the 8x8 cell equals v's exact position between two palette levels. Per channel a
// [64][256] table of levels, pre-multiplied by the channel's palette-index stride.
struct DitherTables {
  std::vector<uint8_t> r, g, b;
  DitherTables() : r(64 * 256), g(64 * 256), b(64 * 256) {
    auto fill = [](std::vector<uint8_t>& t, int levels, int stride) {
      for (int k = 0; k < 64; ++k)
        for (int v = 0; v < 256; ++v) {
          const int q = (v * (levels - 1) * 128 + (2 * k + 1) * 255) / (255 * 128);
          t[size_t(k) * 256 + v] = uint8_t(std::min(q, levels - 1) * stride);
        }
    };
    fill(r, kLevelsR, kLevelsG * kLevelsB);
    fill(g, kLevelsG, kLevelsB);
    fill(b, kLevelsB, 1);
  }
};
const DitherTables& dither_tables() {
  static const DitherTables t;
  return t;
}
}  // namespace

uint8_t unpremultiply(uint8_t c, uint8_t a) { return a ? unpremultiply_table()[size_t(a) * 256 + c] : 0; }

const std::array<uint32_t, 256>& RgbaConverter::gif_palette() {
  static const std::array<uint32_t, 256> pal = [] {
    std::array<uint32_t, 256> p{};
    auto level = [](int i, int levels) { return uint32_t(std::lround(i * 255.0 / (levels - 1))); };
    for (int r = 0; r < kLevelsR; ++r)
      for (int g = 0; g < kLevelsG; ++g)
        for (int b = 0; b < kLevelsB; ++b)
          p[size_t((r * kLevelsG + g) * kLevelsB + b)] =
              0xFF000000u | level(r, kLevelsR) << 16 | level(g, kLevelsG) << 8 | level(b, kLevelsB);
    for (size_t i = kLevelsR * kLevelsG * kLevelsB; i < p.size(); ++i) p[i] = 0xFF000000u;
    return p;
  }();
  return pal;
}

RgbaConverter::RgbaConverter(AVPixelFormat dst, int width, int height) : dst_(dst), width_(width), height_(height) {
  if (dst == AV_PIX_FMT_YUVA444P10LE) {
    straight_.resize(size_t(width) * height * 4);
    // Same size, so no scaling: point sampling, exact rounding, full chroma (4:4:4 out).
    sws_.reset(sws_getContext(width, height, AV_PIX_FMT_RGBA, width, height, dst,
                              SWS_POINT | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP | SWS_BITEXACT,
                              nullptr, nullptr, nullptr));
    if (!sws_) throw EncoderError("libswscale cannot convert RGBA to yuva444p10le");
    // RGB in is full range; YUV out BT.709, limited range.
    const int* bt709 = sws_getCoefficients(SWS_CS_ITU709);
    if (sws_setColorspaceDetails(sws_.get(), bt709, /*srcRange=*/1, bt709, /*dstRange=*/0, 0, 1 << 16, 1 << 16) < 0)
      throw EncoderError("libswscale refused the BT.709 colour details");
  } else if (dst != AV_PIX_FMT_RGBA && dst != AV_PIX_FMT_PAL8) {
    throw EncoderError(std::string("no RGBA conversion to ") + av_get_pix_fmt_name(dst));
  }
}

void RgbaConverter::convert(const uint8_t* src, int stride, AVFrame* f) {
  if (dst_ == AV_PIX_FMT_RGBA) {
    for (int y = 0; y < height_; ++y)
      unpremultiply_row(src + size_t(y) * stride, f->data[0] + ptrdiff_t(y) * f->linesize[0], width_);
  } else if (dst_ == AV_PIX_FMT_YUVA444P10LE) {
    for (int y = 0; y < height_; ++y)
      unpremultiply_row(src + size_t(y) * stride, straight_.data() + size_t(y) * width_ * 4, width_);
    const uint8_t* in[4] = {straight_.data(), nullptr, nullptr, nullptr};
    const int in_stride[4] = {width_ * 4, 0, 0, 0};
    sws_scale(sws_.get(), in, in_stride, 0, height_, f->data, f->linesize);
  } else {  // PAL8
    const DitherTables& t = dither_tables();
    for (int y = 0; y < height_; ++y) {
      const uint8_t* s = src + size_t(y) * stride;
      uint8_t* d = f->data[0] + ptrdiff_t(y) * f->linesize[0];
      for (int x = 0; x < width_; ++x, s += 4) {
        const size_t k = size_t(kBayer[y & 7][x & 7]) * 256;
        d[x] = uint8_t(t.r[k + s[0]] + t.g[k + s[1]] + t.b[k + s[2]]);
      }
    }
    std::memcpy(f->data[1], gif_palette().data(), AVPALETTE_SIZE);
  }
}

}  // namespace reelforge
