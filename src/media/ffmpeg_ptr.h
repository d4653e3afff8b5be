// RAII owners for FFmpeg objects (unique_ptr with the matching free function).
#pragma once
#include <memory>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
}

namespace reelforge {

struct AVFrameDeleter { void operator()(AVFrame* f) const { av_frame_free(&f); } };
struct AVPacketDeleter { void operator()(AVPacket* p) const { av_packet_free(&p); } };
struct AVCodecContextDeleter { void operator()(AVCodecContext* c) const { avcodec_free_context(&c); } };
struct InputContextDeleter { void operator()(AVFormatContext* c) const { avformat_close_input(&c); } };
struct SwsDeleter { void operator()(SwsContext* c) const { sws_freeContext(c); } };
struct SwrDeleter { void operator()(SwrContext* c) const { swr_free(&c); } };

using FramePtr = std::unique_ptr<AVFrame, AVFrameDeleter>;
using PacketPtr = std::unique_ptr<AVPacket, AVPacketDeleter>;
using CodecContextPtr = std::unique_ptr<AVCodecContext, AVCodecContextDeleter>;
using InputContextPtr = std::unique_ptr<AVFormatContext, InputContextDeleter>;
using SwsPtr = std::unique_ptr<SwsContext, SwsDeleter>;
using SwrPtr = std::unique_ptr<SwrContext, SwrDeleter>;

FramePtr make_frame();
PacketPtr make_packet();

}  // namespace reelforge
