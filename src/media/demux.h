// Opening a media file and one of its streams with a decoder ready to use.
#pragma once
#include <string>

#include "media/ffmpeg_ptr.h"

namespace reelforge {

struct OpenStream {
  InputContextPtr fmt;
  CodecContextPtr dec;
  int stream_index = -1;
  AVStream* stream() const { return fmt->streams[stream_index]; }
};

// Opens `path` (MediaError naming the file if missing or unreadable).
InputContextPtr open_input(const std::string& path);

// Opens the best stream of `type` with a decoder; throws MediaError if the file has none.
// VP8/VP9 with an alpha channel get libvpx's decoder, which (unlike FFmpeg's native one) keeps alpha.
OpenStream open_stream(const std::string& path, AVMediaType type, bool frame_threads = true);

// Receives the next decoded frame, reading packets as needed. Returns false at end of stream.
bool decode_next(OpenStream& s, AVPacket* pkt, AVFrame* out, const std::string& path);

}  // namespace reelforge
