// A time-remapped video layer's audio: the source played along a per-frame map of source times.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "audio/audio_source.h"
#include "audio/tempo.h"
#include "util/rational.h"

namespace reelforge {

// Output frame j (timeline frame first_frame + j) covers timeline samples [S(first + j),
// S(first + j + 1)) (S = frame_first_sample at 48 kHz) and plays the source between the map's
// boundary values b[j] and b[j + 1] (seconds; backwards when b[j + 1] < b[j]), stretched to the
// frame's sample count:
//  - preserve_pitch: atempo (TempoStretcher) at the frame's rate |b[j+1] - b[j]| * fps, fed
//    with later frames' spans as far as its window needs to output frame j (so its latency does
//    not delay the sound); a rate of 1 (+-1 sample per frame) is copied while no stretch is under way;
//  - otherwise varispeed: 4-point cubic Hermite (Catmull-Rom) interpolation at positions
//    q * k / m (k source, m output samples), delayed by 2 source samples for the lookahead; no
//    anti-alias filter, so speed-ups above 1 fold content above 24 kHz / rate.
// Rates below kStillRate (a freeze or hold) or above kMaxRate (a cut, a loop's wrap) are silent
// and restart the stretcher. Forward spans are read from one AudioSource, continued or reopened
// (a jump back, or more than a second ahead); backward spans from a kChunkSamples window
// decoded ahead of them (one seek per chunk).
class RemapAudio {
 public:
  static constexpr double kStillRate = 1e-3, kMaxRate = 16.0;
  static constexpr int64_t kChunkSamples = 48000;
  static constexpr int64_t kMaxFeedAhead = 64;  // frames fed to atempo ahead of the one output
  static constexpr int64_t kTailFrames = 32;    // frames fed past the last one (the map extrapolated)

  RemapAudio(const std::string& path, std::vector<double> boundaries, int64_t first_frame, Rational fps,
             bool preserve_pitch);
  ~RemapAudio();

  // Writes the next up to n stereo samples (2n floats) from the clip's first sample; returns
  // fewer only after the last frame.
  int read(float* out, int n);

 private:
  struct Span {
    int64_t out = 0, from = 0, to = 0;  // output samples; source samples from -> to (play order)
    bool silent = true;
  };
  Span span(int64_t j) const;
  void render_frame();                                          // frame next_frame_ -> out_
  void source_span(int64_t from, int64_t to, std::vector<float>& into);  // play order
  void read_forward(int64_t from, int64_t to, std::vector<float>& into);
  void read_backward(int64_t from, int64_t to, std::vector<float>& into);
  void copy_span(const std::vector<float>& in, int64_t m);
  void stretch(int64_t j, int64_t m);
  void varispeed(const std::vector<float>& span, int64_t m);
  void reset_stretch();

  std::string path_;
  std::vector<double> b_;
  int64_t first_ = 0, next_frame_ = 0, frames_ = 0;
  Rational fps_;
  bool preserve_pitch_ = true;
  double min_rate_ = 1.0;
  bool ramps_ = false;  // the audible rate changes (Rubber Band rather than atempo)
  std::unique_ptr<AudioSource> fwd_;  // forward reader and its next sample's index
  int64_t fwd_pos_ = 0;
  std::vector<float> chunk_;  // backward reads: source samples [chunk_first_, chunk_first_ + size/2)
  int64_t chunk_first_ = -1;
  std::unique_ptr<TempoStretcher> tempo_;
  int64_t feed_ = 0;      // next frame whose span goes into tempo_ (runs ahead of next_frame_)
  bool flushed_ = false;  // tempo_ has had its end of stream
  std::vector<float> stretched_;  // atempo output not yet emitted
  float hist_[6] = {0, 0, 0, 0, 0, 0};  // varispeed: the previous span's last 3 stereo samples
  std::vector<float> out_;  // rendered, not yet read
  size_t out_head_ = 0;
  std::vector<float> span_, tmp_;
};

}  // namespace reelforge
