// The timeline's audio: every AudioClip mixed into 48 kHz stereo float, produced in order.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "audio/audio_source.h"
#include "audio/remap_audio.h"
#include "audio/ducker.h"
#include "audio/limiter.h"
#include "timeline/timeline.h"

namespace reelforge {

// Clip placement (s = timeline sample at 48 kHz, first = round(start * 48000)):
//  - a clip sounds from `first` for round(duration * 48000) samples, or until its source ends when
//    duration < 0; loop = true restarts the source at trim_start whenever it ends (bounded by the
//    duration, else by the scene end);
//  - gain(s) = 10^(gain_db/20) * fade_in(s) * fade_out(s) * keyframes(s), with
//    fade_in(s) = shape(min(1, (s - first) / (fade_in * 48000))) and
//    fade_out(s) = shape(clamp((end - 1 - s) / (fade_out * 48000), 0, 1)), shape the clip's
//    FadeCurve for that side (r, or sin(pi/2 r) for equal power), where `end` is the clip's known
//    end: first + duration, the scene end for a looping clip without duration, or the container's
//    duration of the source minus trim_start; without a known end there is no fade-out;
//  - keyframes(s): the per-frame gain_db table as linear amplitudes, one value at the centre
//    sample of each frame ((first_sample(f) + first_sample(f + 1) - 1) / 2), linearly interpolated
//    between neighbouring centres (held before the first / after the last) so gain changes do not
//    step at frame boundaries (zipper noise);
//  - ducking (ClipDucking, ducker.h): a ducked clip's signal is multiplied by its Ducker's gain,
//    keyed by the sum of its key clips' signals (after their gains, before their own ducking);
//  - the sum is multiplied by the master gain (AudioMaster::gain_db), goes through the true-peak
//    limiter when AudioMaster::limit (limiter.h; the mix is computed latency() samples ahead, so
//    the output stays aligned) and then through soft_limit() per sample and channel.
// Sources are opened when a clip's first sample is needed and closed after its last, so memory
// stays bounded whatever the timeline length.
class AudioMixer {
 public:
  static constexpr int kSampleRate = AudioSource::kSampleRate;

  // Copies what it needs from `tl` (it may go away). Opens no decoder yet, but reads each file's
  // header once: throws MediaError for a missing file or one without an audio stream.
  explicit AudioMixer(const Timeline& tl);
  ~AudioMixer();

  // frame_first_sample(frame_count, 48000, fps): the audio track is exactly as long as the video.
  int64_t total_samples() const { return total_; }

  // Writes the mix of samples [pos, pos + n) as interleaved stereo float (2*n floats) into `out`.
  // Calls must be sequential from 0 (pos == previous pos + previous n; InputError otherwise).
  // Samples past total_samples() are 0. Throws MediaError naming the file on decode errors.
  void mix(int64_t pos, int n, float* out);

 private:
  struct Clip {
    std::string path;
    double trim = 0.0;
    bool loop = false;
    int64_t first = 0, end = 0;  // timeline samples [first, end) that may sound (end <= total_)
    int64_t known_end = -1;      // one past the clip's last sample for the fade-out; -1 unknown
    double fade_in = 0.0, fade_out = 0.0;  // samples
    FadeCurve in_curve = FadeCurve::Linear, out_curve = FadeCurve::Linear;
    float gain = 1.0f;
    std::vector<float> amp;  // per-frame keyframed gain as linear amplitude; empty if none
    std::unique_ptr<AudioSource> src;
    // A remapped video layer's audio (AudioClip::source_time): played through RemapAudio instead.
    std::vector<double> remap;
    int64_t remap_first = 0;
    bool preserve_pitch = true;
    std::unique_ptr<RemapAudio> remapped;
    bool done = false;
  };
  void mix_clip(Clip& c, int64_t pos, int n, float* out);
  void mix_raw(int64_t pos, int n, float* out);   // the clips' sum, before the master stage
  void mix_ducked(int64_t pos, int n, float* out);  // mix_raw with ducking: one buffer per clip
  // Multiplies gain_[0, count) by the keyframed amplitude of samples a, a + 1, ...
  void apply_keyframes(const std::vector<float>& amp, int64_t a, int count);

  Rational fps_;
  int64_t frame_count_ = 0, total_ = 0, next_pos_ = 0;
  std::vector<Clip> clips_;
  std::vector<float> tmp_;    // one clip's decoded samples for the current call
  std::vector<double> gain_;  // their gains
  std::vector<std::unique_ptr<Ducker>> duckers_;  // per clip; null if not ducked
  std::vector<std::vector<int>> keys_;            // per clip: its key clips
  std::vector<std::vector<float>> clip_buf_, key_buf_;  // per-clip signals of one call (ducking only)
  float master_gain_ = 1.0f;
  std::unique_ptr<TruePeakLimiter> limiter_;
  bool primed_ = false;  // limiter fed its first latency() samples
};

// Memoryless soft clipper, per sample: identity for |x| <= 0.9 (normal mixes stay bit-exact
// sums); above, y = sign(x) * (T + K * tanh((|x| - T) / K)) with T = 0.9, K = 0.0999: slope 1 at
// the knee (C1-continuous) and an asymptote of T + K = 0.9999 < 1, so the output never clips.
float soft_limit(float x);

}  // namespace reelforge
