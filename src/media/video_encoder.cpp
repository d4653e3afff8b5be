#include "media/video_encoder.h"

#include <cmath>

#include "util/errors.h"

extern "C" {
#include <libavutil/opt.h>
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
}  // namespace

std::vector<std::string> encoder_candidates(const std::string& codec) {
  if (codec == "h264") return {"h264_nvenc", "h264_vaapi", "h264_qsv", "libx264"};
  if (codec == "hevc") return {"hevc_nvenc", "hevc_vaapi", "hevc_qsv", "libx265"};
  throw InputError("unknown video_codec '" + codec + "': use 'h264' or 'hevc'");
}

OpenedEncoder open_video_encoder(const VideoEncodeOptions& opt, int width, int height, Rational fps,
                                 bool global_header, const LogFn& log) {
  if (opt.crf < 0 || opt.crf > 51) throw InputError("crf must be in 0..51, got " + std::to_string(opt.crf));
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
    CodecContextPtr ctx(avcodec_alloc_context3(codec));
    if (!ctx) throw std::bad_alloc();
    ctx->width = width;
    ctx->height = height;
    ctx->time_base = AVRational{int(fps.den), int(fps.num)};
    ctx->framerate = AVRational{int(fps.num), int(fps.den)};
    ctx->pix_fmt = supports(codec, AV_PIX_FMT_NV12) ? AV_PIX_FMT_NV12 : AV_PIX_FMT_YUV420P;
    ctx->sample_aspect_ratio = AVRational{1, 1};
    ctx->gop_size = opt.gop > 0 ? opt.gop : int(std::lround(2.0 * fps.to_double()));
    // Output is BT.709 limited range (DESIGN.md "Colour"): tag it so players convert correctly.
    ctx->color_primaries = AVCOL_PRI_BT709;
    ctx->color_trc = AVCOL_TRC_BT709;
    ctx->colorspace = AVCOL_SPC_BT709;
    ctx->color_range = AVCOL_RANGE_MPEG;
    ctx->thread_count = 0;
    if (global_header) ctx->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    AVDictionary* raw = nullptr;
    const std::string crf = std::to_string(opt.crf);
    if (name.rfind("lib", 0) == 0) {
      av_dict_set(&raw, "preset", opt.preset.c_str(), 0);
      if (opt.bitrate <= 0) av_dict_set(&raw, "crf", crf.c_str(), 0);
    } else if (name.find("nvenc") != std::string::npos) {
      av_dict_set(&raw, "preset", nvenc_preset(opt.preset), 0);
      if (opt.bitrate <= 0) {
        av_dict_set(&raw, "rc", "vbr", 0);
        av_dict_set(&raw, "cq", crf.c_str(), 0);
      }
    } else if (name.find("qsv") != std::string::npos) {
      if (opt.bitrate <= 0) ctx->global_quality = opt.crf;
    } else if (name.find("vaapi") != std::string::npos) {
      if (opt.bitrate <= 0) av_dict_set(&raw, "qp", crf.c_str(), 0);
    }
    if (opt.bitrate > 0) {
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
    out.ctx = std::move(ctx);
    out.name = name;
    return out;
  }
  std::string msg = "no " + opt.codec + " encoder could be opened:";
  for (const auto& r : out.refusals) msg += "\n  " + r;
  throw EncoderError(msg);
}

}  // namespace reelforge
