#include "audio/remap_audio.h"

#include <algorithm>
#include <cmath>

#include "media/media_warnings.h"

namespace reelforge {

namespace {
constexpr int kRate = AudioSource::kSampleRate;

int64_t sample_at(double seconds) { return std::llround(std::max(0.0, seconds) * kRate); }

// Catmull-Rom through xm1, x0, x1, x2 at fraction t in [0, 1) between x0 and x1.
float hermite(float xm1, float x0, float x1, float x2, float t) {
  const float c1 = 0.5f * (x1 - xm1), c2 = xm1 - 2.5f * x0 + 2.0f * x1 - 0.5f * x2;
  const float c3 = 0.5f * (x2 - xm1) + 1.5f * (x0 - x1);
  return ((c3 * t + c2) * t + c1) * t + x0;
}
}  // namespace

RemapAudio::RemapAudio(const std::string& path, std::vector<double> boundaries, int64_t first_frame, Rational fps,
                       bool preserve_pitch)
    : path_(path), b_(std::move(boundaries)), first_(first_frame), fps_(fps), preserve_pitch_(preserve_pitch) {
  frames_ = std::max<int64_t>(0, int64_t(b_.size()) - 1);
  const double per_frame = fps_.to_double();
  double lo = kMaxRate, hi = 0.0;  // the audible rates; the slowest sizes the atempo chain
  for (int64_t j = 0; j < frames_; ++j) {
    const double r = std::fabs(b_[j + 1] - b_[j]) * per_frame;
    if (r < kStillRate || r > kMaxRate) continue;
    lo = std::min(lo, r);
    hi = std::max(hi, r);
  }
  min_rate_ = std::min(1.0, lo);
  ramps_ = hi > lo * 1.01;
  if (preserve_pitch_ && ramps_ && !TempoStretcher::follows_ramps()) {
    // atempo cannot follow a ramp (see tempo.h): varispeed keeps the sound continuous instead.
    preserve_pitch_ = false;
    warn_media("'" + path_ + "': this FFmpeg has no rubberband filter, so the audio of a speed ramp is "
               "resampled (its pitch follows the speed) instead of time-stretched");
  }
}

RemapAudio::~RemapAudio() = default;

int RemapAudio::read(float* out, int n) {
  int done = 0;
  while (done < n) {
    if (out_head_ == out_.size()) {
      if (next_frame_ >= frames_) break;
      out_.clear();
      out_head_ = 0;
      render_frame();
      continue;
    }
    const int k = int(std::min<size_t>(size_t(n - done), (out_.size() - out_head_) / 2));
    std::copy_n(out_.data() + out_head_, 2 * size_t(k), out + 2 * size_t(done));
    out_head_ += 2 * size_t(k);
    done += k;
  }
  return done;
}

RemapAudio::Span RemapAudio::span(int64_t j) const {
  Span sp;
  sp.out = frame_first_sample(first_ + j + 1, kRate, fps_) - frame_first_sample(first_ + j, kRate, fps_);
  // Past the last frame the map goes on at its last rate: atempo's window is fed beyond the end.
  const auto at = [&](int64_t i) {
    return i <= frames_ ? b_[size_t(i)] : b_[size_t(frames_)] + double(i - frames_) * (b_[size_t(frames_)] - b_[size_t(frames_ - 1)]);
  };
  sp.from = sample_at(at(j));
  sp.to = sample_at(at(j + 1));
  const double rate = sp.out > 0 ? double(std::llabs(sp.to - sp.from)) / double(sp.out) : 0.0;
  sp.silent = sp.out <= 0 || sp.to == sp.from || rate < kStillRate || rate > kMaxRate;
  return sp;
}

void RemapAudio::render_frame() {
  const int64_t j = next_frame_++;
  const Span sp = span(j);
  if (sp.silent) {  // a freeze, a hold or a cut: silence, and the stretch starts over after it
    out_.insert(out_.end(), 2 * size_t(std::max<int64_t>(0, sp.out)), 0.0f);
    reset_stretch();
    return;
  }
  const int64_t k = std::llabs(sp.to - sp.from);
  if (!preserve_pitch_) {
    source_span(sp.from, sp.to, span_);
    varispeed(span_, sp.out);
  } else if (!tempo_ && std::llabs(k - sp.out) <= 1) {
    source_span(sp.from, sp.to, span_);
    copy_span(span_, sp.out);
  } else {
    stretch(j, sp.out);
  }
}

void RemapAudio::copy_span(const std::vector<float>& in, int64_t m) {
  // Real-time speed: copied, a sample repeated or dropped where the frame's boundaries round apart.
  const int64_t k = int64_t(in.size() / 2);
  out_.insert(out_.end(), in.begin(), in.begin() + 2 * size_t(std::min(k, m)));
  if (k < m) {  // k == m - 1 >= 1 here: the last sample twice
    const float l = in[2 * size_t(k) - 2], r = in[2 * size_t(k) - 1];
    out_.push_back(l);
    out_.push_back(r);
  }
}

void RemapAudio::stretch(int64_t j, int64_t m) {
  // atempo needs input ahead of what it outputs (a WSOLA window): later frames' spans are fed
  // until frame j's samples are out, each at its own tempo; a silent frame or the end flushes it.
  if (!tempo_) {
    tempo_ = std::make_unique<TempoStretcher>(min_rate_, ramps_);
    feed_ = j;
    flushed_ = false;
  }
  const size_t want = 2 * size_t(m);
  while (stretched_.size() < want && !flushed_ && feed_ - j < kMaxFeedAhead) {
    const Span f = span(feed_);
    if (f.silent || feed_ >= frames_ + kTailFrames) {
      tempo_->flush(stretched_);
      flushed_ = true;
      break;
    }
    source_span(f.from, f.to, span_);
    tempo_->process(span_.data(), int(span_.size() / 2), double(std::llabs(f.to - f.from)) / double(f.out), stretched_);
    ++feed_;
  }
  const size_t have = std::min(want, stretched_.size());
  out_.insert(out_.end(), stretched_.begin(), stretched_.begin() + have);
  out_.insert(out_.end(), want - have, 0.0f);  // only where atempo ran dry (its very end)
  stretched_.erase(stretched_.begin(), stretched_.begin() + have);
}

void RemapAudio::reset_stretch() {
  tempo_.reset();
  stretched_.clear();
  std::fill(std::begin(hist_), std::end(hist_), 0.0f);
}

void RemapAudio::source_span(int64_t from, int64_t to, std::vector<float>& into) {
  into.clear();
  if (to > from) read_forward(from, to, into);
  else read_backward(to, from, into);
}

void RemapAudio::read_forward(int64_t from, int64_t to, std::vector<float>& into) {
  if (!fwd_ || from < fwd_pos_ || from - fwd_pos_ > kRate) {  // back, or far ahead: one seek
    fwd_ = std::make_unique<AudioSource>(path_, double(from) / kRate);
    fwd_pos_ = from;
  }
  if (from > fwd_pos_) {  // a short jump ahead: decode through it
    tmp_.resize(2 * size_t(from - fwd_pos_));
    fwd_pos_ += fwd_->read(tmp_.data(), int(from - fwd_pos_));
    fwd_pos_ = from;
  }
  into.assign(2 * size_t(to - from), 0.0f);  // silence past the source's end
  fwd_->read(into.data(), int(to - from));
  fwd_pos_ = to;
}

void RemapAudio::read_backward(int64_t lo, int64_t hi, std::vector<float>& into) {
  const int64_t have = chunk_first_ + int64_t(chunk_.size() / 2);
  if (chunk_first_ < 0 || lo < chunk_first_ || hi > have) {
    // Reverse play moves down: the chunk ends at `hi` and reaches a second (or the span) below.
    chunk_first_ = std::max<int64_t>(0, std::min(lo, hi - kChunkSamples));
    chunk_.assign(2 * size_t(hi - chunk_first_), 0.0f);
    AudioSource src(path_, double(chunk_first_) / kRate);
    src.read(chunk_.data(), int(hi - chunk_first_));
  }
  into.resize(2 * size_t(hi - lo));
  for (int64_t s = hi - 1, o = 0; s >= lo; --s, ++o) {
    into[2 * size_t(o)] = chunk_[2 * size_t(s - chunk_first_)];
    into[2 * size_t(o) + 1] = chunk_[2 * size_t(s - chunk_first_) + 1];
  }
}

void RemapAudio::varispeed(const std::vector<float>& span, int64_t m) {
  const int64_t k = int64_t(span.size() / 2);
  // buf = the previous span's last 3 samples, then this span; output q reads buf position 1 + p,
  // p = q * k / m (2 samples late, so the 4-point kernel never needs the next span).
  tmp_.assign(hist_, hist_ + 6);
  tmp_.insert(tmp_.end(), span.begin(), span.end());
  const double step = double(k) / double(m);
  for (int64_t q = 0; q < m; ++q) {
    const double p = 1.0 + double(q) * step;
    const int64_t i = int64_t(p);
    const float t = float(p - double(i));
    for (int c = 0; c < 2; ++c) {
      const auto at = [&](int64_t s) { return tmp_[2 * size_t(s) + size_t(c)]; };
      out_.push_back(hermite(at(i - 1), at(i), at(i + 1), at(i + 2), t));
    }
  }
  std::copy(tmp_.end() - 6, tmp_.end(), hist_);
}

}  // namespace reelforge
