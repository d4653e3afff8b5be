#include "media/encode_loop.h"

#include <string>

#include "util/errors.h"

namespace reelforge {

void encode_and_drain(AVCodecContext* enc, const AVFrame* frame, AVPacket* pkt, const PacketSink& sink,
                      const char* what) {
  int err = avcodec_send_frame(enc, frame);
  if (err < 0 && !(frame == nullptr && err == AVERROR_EOF))
    throw EncoderError(std::string(what) + (frame ? " encoding failed: " : " encoder flush failed: ") + av_error_text(err));
  for (;;) {
    err = avcodec_receive_packet(enc, pkt);
    if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return;
    if (err < 0) throw EncoderError(std::string(what) + " encoding failed: " + av_error_text(err));
    sink(pkt);
    av_packet_unref(pkt);
  }
}

}  // namespace reelforge
