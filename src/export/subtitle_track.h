// A soft subtitle track for an export (Exporter(subtitles=path)): the file is read with
// libavformat and its subtitle decoder (SRT, WebVTT, ASS/SSA -> ASS events), re-encoded with the
// container's subtitle encoder (mov_text in MP4/MOV, webvtt in WebM, ASS or SRT in Matroska), and
// its packets written into the output before the first frame (libavformat interleaves them).
#pragma once
#include <string>
#include <vector>

#include "media/ffmpeg_ptr.h"

namespace reelforge {

class PacketMux;

// The subtitle encoder for a container ("" if it takes no subtitles); `ass_input`: keep ASS
// styling in Matroska.
std::string subtitle_encoder_for(const AVOutputFormat* fmt, bool ass_input);

class SubtitleTrack {
 public:
  // Reads and decodes every event of `path` now (MediaNotFound / MediaError for a missing or
  // unreadable file, InputError for a container without subtitle support). Events are shifted
  // by -offset_s (an export starting at a later frame) and those ending before 0 dropped.
  SubtitleTrack(const std::string& path, const AVOutputFormat* fmt, double offset_s);
  const AVCodecContext* ctx() const { return enc_.get(); }
  // Encodes the events into `mux` for `stream` (after the header).
  void write_all(PacketMux& mux, int stream);

 private:
  struct Event {
    int64_t start_ms, duration_ms;
    std::vector<std::string> ass;  // ASS dialogue payloads ("ReadOrder,Layer,Style,...,Text")
  };
  std::vector<Event> events_;
  CodecContextPtr enc_;
};

}  // namespace reelforge
