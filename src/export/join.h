// Joining independently encoded video segments (and one audio file) into one output by remuxing
// packets with libavformat: no decoding, no re-encoding.
//
// A segment holds frames [first, first + n) of the timeline, encoded on its own so it starts with
// an IDR; its packets carry pts 0..n-1 (in frames). The join adds `first` to every pts and dts
// (exact integer frame arithmetic in the time base 1/fps, DESIGN.md "Time") and interleaves the
// packets of the audio file, which was mixed and encoded once for the whole timeline (one priming
// delay, no seams). Everything is checked before the output is created: every segment starts with
// an IDR (H.264/HEVC NAL types; for VP9 a key frame read from its frame header, keyframes.h),
// codec, size, codec extradata (SPS/PPS) and time base are identical, every pts is a frame
// (exactly, or rounded to the container's time base, e.g. WebM's 1 ms), and the frame counts
// add up. The output is
// written under a temporary name beside the target (faststart for MP4/MOV: moov before mdat) and
// renamed when complete; on any failure nothing is left.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "util/rational.h"

namespace reelforge {

// What a segment file is, as the join sees it. `extradata` is the codec's global header (avcC /
// hvcC: SPS and PPS): segments join only if theirs are byte-identical.
struct SegmentInfo {
  std::string path;
  std::string codec;               // libavcodec name: h264, hevc, vp9, ...
  int width = 0, height = 0;
  int64_t frames = 0;              // video packets (one per frame)
  int time_base_num = 0, time_base_den = 0;  // the video stream's time base
  std::vector<uint8_t> extradata;
  bool starts_with_idr = false;    // first packet is an IDR (h264/hevc), a VP9 key frame, or a keyframe (others)
  bool whole_frames = false;       // every pts is an integer number of frames at `fps`, 0..frames-1 each once
};

// Reads `path` (its one video stream) and describes it; `fps` is the timeline's frame rate, used
// for `whole_frames`. MediaError if the file cannot be read or has no video stream.
SegmentInfo inspect_segment(const std::string& path, Rational fps);

struct JoinOptions {
  std::vector<std::string> segments;     // in timeline order
  std::vector<int64_t> segment_frames;   // expected frames of each (empty: not checked per segment)
  int64_t total_frames = 0;              // expected sum (checked; must be > 0)
  Rational fps{0, 1};
  std::string audio;                     // file whose first audio stream is copied ("" for none)
  std::string output;                    // .mp4 .mov .m4v .mkv .webm
};

struct JoinResult {
  std::string path;
  int64_t frames = 0;
  int64_t audio_packets = 0;
  std::vector<SegmentInfo> segments;
};

// Checks every segment (InputError naming the segment and what differs) and writes the output.
JoinResult join_segments(const JoinOptions& options);

}  // namespace reelforge
