#include "media/image_loader.h"

#include <cstring>

#include "media/demux.h"
#include "util/errors.h"

extern "C" {
#include <libavutil/imgutils.h>
}

namespace reelforge {

void premultiply(RgbaImage& img) {
  uint8_t* p = img.pixels.data();
  for (size_t i = 0, n = size_t(img.width) * img.height; i < n; ++i, p += 4) {
    const unsigned a = p[3];
    for (int c = 0; c < 3; ++c) p[c] = uint8_t((p[c] * a + 127) / 255);
  }
}

RgbaImage load_image(const std::string& path) {
  OpenStream s = open_stream(path, AVMEDIA_TYPE_VIDEO, /*frame_threads=*/false);
  PacketPtr pkt = make_packet();
  FramePtr frame = make_frame();
  if (!decode_next(s, pkt.get(), frame.get(), path)) throw MediaError("'" + path + "' contains no picture");
  RgbaImage img;
  img.width = frame->width;
  img.height = frame->height;
  img.pixels.resize(size_t(img.width) * img.height * 4);
  SwsPtr sws(sws_getContext(frame->width, frame->height, AVPixelFormat(frame->format), img.width, img.height,
                            AV_PIX_FMT_RGBA, SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT, nullptr, nullptr, nullptr));
  if (!sws) throw MediaError("cannot convert pixel format of '" + path + "' to RGBA");
  uint8_t* dst[4] = {img.pixels.data(), nullptr, nullptr, nullptr};
  int dst_stride[4] = {img.width * 4, 0, 0, 0};
  sws_scale(sws.get(), frame->data, frame->linesize, 0, frame->height, dst, dst_stride);
  premultiply(img);
  return img;
}

}  // namespace reelforge
