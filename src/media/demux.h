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

// The file's time origin in `st`'s time base, shared by its streams so that an offset between
// them is kept: the earliest start_time of its audio and video streams (ffmpeg's container start),
// except that a video stream starting less than half a frame after the earliest content (audio
// priming the decoder drops excluded) sets it: Opus pre-skip puts WebM audio at -7 ms and its video
// at +7 ms; the origin then stays on the first picture, or every frame of a frame-quantised output
// would be shown one frame late. 0 when no stream declares a start.
int64_t file_origin(AVFormatContext* fmt, const AVStream* st);

// Receives the next decoded frame, reading packets as needed. Returns false at end of stream.
// Damaged data (a read or decode error) is skipped as ffmpeg does and counted in s.damage; after
// kMaxConsecutiveErrors errors in a row the stream is taken as ended (a truncated file). With
// `strict`, the first error throws MediaError naming the file instead.
bool decode_next(OpenStream& s, AVPacket* pkt, AVFrame* out, const std::string& path, bool strict = false);
constexpr int kMaxConsecutiveErrors = 64;

}  // namespace reelforge
