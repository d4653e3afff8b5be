#include "audio/mixer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "util/errors.h"

namespace reelforge {

float soft_limit(float x) {
  constexpr float T = 0.9f, K = 0.0999f;  // see mixer.h
  const float ax = std::fabs(x);
  if (!(ax > T)) return x;
  return std::copysign(T + K * std::tanh((ax - T) / K), x);
}

namespace {
double fade_shape(FadeCurve curve, double r) {
  return curve == FadeCurve::EqualPower ? std::sin(0.5 * 3.14159265358979323846 * r) : r;
}
}  // namespace

AudioMixer::AudioMixer(const Timeline& tl) : fps_(tl.fps), frame_count_(tl.frame_count) {
  if (fps_.num <= 0 || fps_.den <= 0 || frame_count_ < 0) throw InputError("audio mixer: invalid fps or frame count");
  total_ = frame_first_sample(frame_count_, kSampleRate, fps_);
  const auto samples = [](double seconds) { return std::llround(std::max(0.0, seconds) * kSampleRate); };
  std::map<std::string, double> durations;  // one header read per distinct file
  for (const AudioClip& a : tl.audio) {
    auto it = durations.find(a.path);
    if (it == durations.end()) it = durations.emplace(a.path, probe_audio_duration(a.path)).first;
    const double source_seconds = it->second;
    Clip c;
    c.path = a.path;
    c.trim = std::max(0.0, a.trim_start);
    c.loop = a.loop;
    c.first = samples(a.start);
    if (a.duration >= 0) {
      c.end = c.known_end = c.first + samples(a.duration);
    } else if (a.loop) {
      c.end = c.known_end = total_;
    } else {
      // Plays until the source really ends (container durations can be estimates, e.g. mp3); the
      // fade-out, which must be placed in advance, uses the container's figure.
      c.end = std::numeric_limits<int64_t>::max();
      if (source_seconds > 0) c.known_end = c.first + samples(source_seconds - c.trim);
    }
    if (!a.source_time.empty()) {  // time remap: exactly the layer's frames (audio/remap_audio.h)
      c.remap = a.source_time;
      c.remap_first = a.remap_first_frame;
      c.preserve_pitch = a.preserve_pitch;
      c.loop = false;
      c.first = frame_first_sample(a.remap_first_frame, kSampleRate, fps_);
      c.end = c.known_end = frame_first_sample(a.remap_first_frame + int64_t(c.remap.size()) - 1, kSampleRate, fps_);
    }
    c.end = std::min(c.end, total_);
    c.fade_in = std::max(0.0, a.fade_in) * kSampleRate;
    c.fade_out = std::max(0.0, a.fade_out) * kSampleRate;
    c.in_curve = a.fade_in_curve, c.out_curve = a.fade_out_curve;
    c.gain = float(std::pow(10.0, a.gain_db / 20.0));
    if (!a.gain_db_per_frame.empty()) {
      if (int64_t(a.gain_db_per_frame.size()) != frame_count_)
        throw InputError("audio clip '" + a.path + "': gain_db needs one value per frame");
      c.amp.reserve(a.gain_db_per_frame.size());
      for (float db : a.gain_db_per_frame) c.amp.push_back(float(std::pow(10.0, db / 20.0)));
    }
    c.done = c.first >= c.end;
    clips_.push_back(std::move(c));
    duckers_.push_back(a.duck.keys.empty() ? nullptr : std::make_unique<Ducker>(a.duck, kSampleRate));
    keys_.push_back(a.duck.keys);
  }
  const AudioMaster& m = tl.audio_master;
  master_gain_ = float(std::pow(10.0, m.gain_db / 20.0));
  if (m.limit) limiter_ = std::make_unique<TruePeakLimiter>(m.true_peak_db, kSampleRate);
}

AudioMixer::~AudioMixer() = default;

void AudioMixer::mix(int64_t pos, int n, float* out) {
  if (pos != next_pos_ || n < 0)
    throw InputError("AudioMixer::mix: calls must be sequential from 0 (expected pos " + std::to_string(next_pos_) +
                     ", got " + std::to_string(pos) + ")");
  next_pos_ = pos + n;
  if (!limiter_) {
    mix_raw(pos, n, out);
    if (master_gain_ != 1.0f)
      for (size_t i = 0; i < 2 * size_t(n); ++i) out[i] *= master_gain_;
  } else {
    // The limiter delays by its latency: mix that far ahead (the clips' raw mix is zero past the end).
    const int d = limiter_->latency();
    if (!primed_) {
      std::vector<float> head(2 * size_t(d));
      mix_raw(0, d, head.data());
      for (float& v : head) v *= master_gain_;
      limiter_->process(head.data(), d);
      primed_ = true;
    }
    mix_raw(pos + d, n, out);
    for (size_t i = 0; i < 2 * size_t(n); ++i) out[i] *= master_gain_;
    limiter_->process(out, n);
  }
  // soft_limit is the identity up to its knee: call it only for the (rare) samples above.
  for (size_t i = 0; i < 2 * size_t(n); ++i)
    if (std::fabs(out[i]) > 0.9f) out[i] = soft_limit(out[i]);
}

void AudioMixer::mix_raw(int64_t pos, int n, float* out) {
  std::fill_n(out, 2 * size_t(n), 0.0f);
  const bool ducking = std::any_of(duckers_.begin(), duckers_.end(), [](const auto& d) { return d != nullptr; });
  if (ducking) return mix_ducked(pos, n, out);
  for (Clip& c : clips_)
    if (!c.done) mix_clip(c, pos, n, out);
}

void AudioMixer::mix_ducked(int64_t pos, int n, float* out) {
  // Every clip into its own buffer (0 + g*x: the same floats as adding into `out` directly), keys
  // summed before any ducking, then the sum in clip order as without ducking.
  clip_buf_.resize(clips_.size());
  for (size_t i = 0; i < clips_.size(); ++i) {
    clip_buf_[i].assign(2 * size_t(n), 0.0f);
    if (!clips_[i].done) mix_clip(clips_[i], pos, n, clip_buf_[i].data());
  }
  key_buf_.resize(clips_.size());
  for (size_t i = 0; i < clips_.size(); ++i) {
    if (!duckers_[i]) continue;
    std::vector<float>& key = key_buf_[i];
    key.assign(2 * size_t(n), 0.0f);
    for (int k : keys_[i])
      for (size_t s = 0; s < key.size(); ++s) key[s] += clip_buf_[size_t(k)][s];
  }
  for (size_t i = 0; i < clips_.size(); ++i)
    if (duckers_[i]) duckers_[i]->process(key_buf_[i].data(), clip_buf_[i].data(), n);
  for (const auto& b : clip_buf_)
    for (size_t s = 0; s < b.size(); ++s) out[s] += b[s];
}

void AudioMixer::mix_clip(Clip& c, int64_t pos, int n, float* out) {
  const int64_t a = std::max(pos, c.first), b = std::min(pos + n, c.end);
  if (a < b) {
    if (!c.remap.empty() && !c.remapped)
      c.remapped = std::make_unique<RemapAudio>(c.path, c.remap, c.remap_first, fps_, c.preserve_pitch);
    else if (c.remap.empty() && !c.src)
      c.src = std::make_unique<AudioSource>(c.path, c.trim);  // opened when first needed
    const int want = int(b - a);
    tmp_.resize(2 * size_t(want));
    int got = 0;
    bool restarted = false;
    while (got < want) {
      float* dst = tmp_.data() + 2 * size_t(got);
      const int r = c.remapped ? c.remapped->read(dst, want - got) : c.src->read(dst, want - got);
      got += r;
      if (got == want) break;
      if (!c.loop || (restarted && r == 0)) {  // the source ended (a loop that yields nothing ends too)
        c.done = true;
        break;
      }
      c.src->restart();
      restarted = true;
    }
    float* o = out + 2 * size_t(a - pos);
    // Outside the fade ramps and without keyframes the gain is the constant c.gain (the ramp
    // factors are exactly 1 there), so most chunks skip the per-sample gain table.
    const bool in_fade_in = c.fade_in > 0 && double(a - c.first) < c.fade_in;
    const bool in_fade_out = c.fade_out > 0 && c.known_end >= 0 && double(c.known_end - 1 - (a + got - 1)) < c.fade_out;
    if (c.amp.empty() && !in_fade_in && !in_fade_out) {
      const float g = c.gain;
      const float* t = tmp_.data();
      for (size_t i = 0; i < 2 * size_t(got); ++i) o[i] += g * t[i];
    } else {
      gain_.resize(size_t(got));
      for (int i = 0; i < got; ++i) {
        const int64_t s = a + i;
        double g = c.gain;
        if (c.fade_in > 0) g *= fade_shape(c.in_curve, std::min(1.0, double(s - c.first) / c.fade_in));
        if (c.fade_out > 0 && c.known_end >= 0)
          g *= fade_shape(c.out_curve, std::clamp(double(c.known_end - 1 - s) / c.fade_out, 0.0, 1.0));
        gain_[size_t(i)] = g;
      }
      if (!c.amp.empty()) apply_keyframes(c.amp, a, got);
      for (size_t i = 0; i < size_t(got); ++i) {
        const float g = float(gain_[i]);
        o[2 * i] += g * tmp_[2 * i];
        o[2 * i + 1] += g * tmp_[2 * i + 1];
      }
    }
  }
  if (c.done || pos + n >= c.end) {  // past its last sample: release the decoder
    c.done = true;
    c.src.reset();
    c.remapped.reset();
  }
}

void AudioMixer::apply_keyframes(const std::vector<float>& amp, int64_t a, int count) {
  const int64_t nf = int64_t(amp.size());
  const auto first_sample = [&](int64_t f) { return frame_first_sample(f, kSampleRate, fps_); };
  const auto centre = [&](int64_t f) { return 0.5 * double(first_sample(f) + first_sample(f + 1) - 1); };
  // Frame containing sample a: the largest f with first_sample(f) <= a.
  const __int128 per = (__int128)kSampleRate * fps_.den;
  int64_t f = int64_t(((__int128)(a + 1) * fps_.num + per - 1) / per) - 1;
  f = std::clamp<int64_t>(f, 0, nf - 1);
  // Segment k spans centre(k) <= s < centre(k + 1) and interpolates amp[k] -> amp[k + 1].
  int64_t k = double(a) < centre(f) ? f - 1 : f;
  for (int i = 0; i < count; ++k) {
    const double c0 = k >= 0 ? centre(k) : 0.0;
    const bool last = k + 1 >= nf;
    const double c1 = last ? 0.0 : centre(k + 1);
    const int stop = last ? count : int(std::clamp<int64_t>(int64_t(std::ceil(c1)) - a, i, count));
    for (; i < stop; ++i) {
      double v;
      if (k < 0) v = amp.front();
      else if (last) v = amp.back();
      else v = amp[k] + (amp[k + 1] - amp[k]) * ((double(a + i) - c0) / (c1 - c0));
      gain_[size_t(i)] *= v;
    }
  }
}

}  // namespace reelforge
