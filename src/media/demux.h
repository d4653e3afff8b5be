// Opening a media file and one of its streams with a decoder ready to use.
#pragma once
#include <string>

#include "media/ffmpeg_ptr.h"

namespace reelforge {

struct OpenStream {
  InputContextPtr fmt;
  CodecContextPtr dec;
  int stream_index = -1;
  // Damaged data met so far (demuxer or decoder errors that decode_next skipped): a count that
  // grows with every error, and the first error's text.
  int64_t damage = 0;
  std::string damage_text;
  AVStream* stream() const { return fmt->streams[stream_index]; }
};

// Opens `path` (MediaError naming the file if missing or unreadable).
InputContextPtr open_input(const std::string& path);

// Opens the best stream of `type` with a decoder; throws MediaError if the file has none.
// VP8/VP9 with an alpha channel get libvpx's decoder, which (unlike FFmpeg's native one) keeps alpha.
OpenStream open_stream(const std::string& path, AVMediaType type, bool frame_threads = true);

// The file's time origin in `st`'s time base: the earliest start_time of its audio and video
// streams (as ffmpeg's container start), so that an offset between a file's streams is kept.
// 0 when no stream declares one.
int64_t file_origin(const AVFormatContext* fmt, const AVStream* st);

// Receives the next decoded frame, reading packets as needed. Returns false at end of stream.
// Damaged data (a read or decode error) is skipped as ffmpeg does and counted in s.damage; after
// kMaxConsecutiveErrors errors in a row the stream is taken as ended (a truncated file). With
// `strict`, the first error throws MediaError naming the file instead.
bool decode_next(OpenStream& s, AVPacket* pkt, AVFrame* out, const std::string& path, bool strict = false);
constexpr int kMaxConsecutiveErrors = 64;

}  // namespace reelforge
