#include "gpu/yuv_matrix.h"

extern "C" {
#include <libavutil/frame.h>
#include <libavutil/pixfmt.h>
}

namespace reelforge {

std::array<std::array<float, 4>, 3> yuv_to_rgb_matrix(const AVFrame* f) {
  double kr = 0.2126, kb = 0.0722;  // BT.709
  switch (f->colorspace) {
    case AVCOL_SPC_BT709: break;
    case AVCOL_SPC_BT470BG:
    case AVCOL_SPC_SMPTE170M: kr = 0.299, kb = 0.114; break;
    case AVCOL_SPC_BT2020_NCL:
    case AVCOL_SPC_BT2020_CL: kr = 0.2627, kb = 0.0593; break;
    case AVCOL_SPC_SMPTE240M: kr = 0.212, kb = 0.087; break;
    default:
      if (f->height < 720) kr = 0.299, kb = 0.114;
  }
  const double kg = 1.0 - kr - kb;
  const bool full = f->color_range == AVCOL_RANGE_JPEG || f->format == AV_PIX_FMT_YUVJ420P;
  // y' = ys * y + yo ; pb = cs * u + co  (u, v in 0..1 as sampled from R8_UNORM)
  const double ys = full ? 1.0 : 255.0 / 219.0, yo = full ? 0.0 : -16.0 / 219.0;
  const double cs = full ? 1.0 : 255.0 / 224.0, co = full ? -128.0 / 255.0 : -128.0 / 224.0;
  const double rv = 2.0 * (1.0 - kr), bu = 2.0 * (1.0 - kb);
  const double gu = -bu * kb / kg, gv = -rv * kr / kg;
  auto row = [&](double cu, double cv) {
    return std::array<float, 4>{float(ys), float(cu * cs), float(cv * cs), float(yo + (cu + cv) * co)};
  };
  return {row(0.0, rv), row(gu, gv), row(bu, 0.0)};
}

}  // namespace reelforge
