// The one send/receive loop every encoder drains through (FFmpeg doc/examples/mux.c
// write_frame()): send a frame (nullptr flushes), then hand each packet the encoder has ready to
// the sink. VideoEncoder and AudioEncoder both use it.
#pragma once
#include <functional>

#include "media/ffmpeg_ptr.h"

namespace reelforge {

// Receives one encoded packet; the packet is unreferenced after the call returns.
using PacketSink = std::function<void(AVPacket*)>;

// Sends `frame` (nullptr: end of stream) to `enc` and passes every ready packet to `sink`, reusing
// `pkt`. EncoderError "<what> encoding failed: <FFmpeg text>" on failure; a flush of an
// already-flushed encoder is a no-op.
void encode_and_drain(AVCodecContext* enc, const AVFrame* frame, AVPacket* pkt, const PacketSink& sink,
                      const char* what);

}  // namespace reelforge
