// One audio clip's source file, decoded sequentially and resampled to 48 kHz stereo float.
#pragma once
#include <string>
#include <vector>

#include "media/demux.h"

namespace reelforge {

// Seconds of audio in `path` according to the container (stream duration, from the file's time
// origin as AudioSource counts, else file duration), or -1 when unknown. Reads only the header. Throws MediaError if the file has no audio stream.
double probe_audio_duration(const std::string& path);

// Decodes one file's best audio stream front to back (no whole-file buffering) and resamples it
// with libswresample to 48 kHz interleaved stereo float: mono is copied to both channels at
// unity gain, more than 2 channels are downmixed by swr's default matrix.
class AudioSource {
 public:
  static constexpr int kSampleRate = 48000;

  // Opens `path` and positions it at `trim_start` seconds, where 0 is the file's time origin (the
  // earliest start of its audio and video streams, as ffmpeg's container start; for an audio-only
  // file the stream's start_time: the first sample after any encoder delay the container declares,
  // e.g. mp3's LAME tag). Audio that starts later than the origin is preceded by silence.
  AudioSource(const std::string& path, double trim_start);
  ~AudioSource();
  AudioSource(const AudioSource&) = delete;
  AudioSource& operator=(const AudioSource&) = delete;

  // Writes up to n samples as interleaved stereo float (2*n floats). Returns the number written:
  // fewer than n only at the end of the source. Damaged data is skipped as ffmpeg does (silence
  // in place of what is lost; a warning names the file and time, see media_warnings.h).
  int read(float* out, int n);

  // Goes back to trim_start (for looping): one seek, or a reopen if the file cannot seek.
  void restart();

 private:
  void seek_to_trim(bool fresh);
  bool fill();                                         // decodes until buf_ has samples; false at end
  void configure(const AVFrame* f);                    // (re)creates swr_ for f's format
  void bridge_damage(const AVFrame* f);                // warns; silence for packets lost to damage
  void report_early_end();                             // warns if the stream ends long before it said
  void convert(const uint8_t* const* in, int count);  // resamples `count` input samples into buf_

  std::string path_;
  double trim_;
  OpenStream s_;
  PacketPtr pkt_;
  FramePtr frame_;
  SwrPtr swr_;
  AVChannelLayout in_layout_{};  // swr_'s input format, to notice mid-stream changes
  int in_format_ = -1, in_rate_ = 0;
  int64_t origin_ = 0;      // file_origin() (stream time base): source time 0
  std::vector<float> buf_;  // resampled interleaved stereo; [head_, size) not yet read
  size_t head_ = 0;
  int64_t drop_out_ = 0;    // resampled warm-up samples still to drop (see fill())
  int64_t pos_ = 0;         // input-rate sample index (from origin_) of the next decoded frame
  int64_t damage_seen_ = 0;  // s_.damage already reported
  bool started_ = false;    // trim point reached; later frames are taken back to back
  bool eof_ = false;
};

}  // namespace reelforge
