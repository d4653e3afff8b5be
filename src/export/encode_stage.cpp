#include "export/encode_stage.h"

#include <algorithm>
#include <cstdlib>
#include <thread>

#include "media/parallel_aac.h"

namespace reelforge {

namespace {
// Audio-only AAC exports at least this long are encoded in parallel chunks (ParallelAac); shorter
// ones gain little and stay on one encoder.
constexpr int64_t kParallelAudioMinSamples = 20 * 48000;

// Encoder threads for a parallel audio-only AAC export: the number of cores, at most 4.
// REELFORGE_AUDIO_SEGMENTS=N overrides it (1: the sequential single-encoder path, as for short
// exports; tests compare the two).
int audio_segments() {
  if (const char* e = std::getenv("REELFORGE_AUDIO_SEGMENTS"); e && *e) {
    char* end = nullptr;
    const long n = std::strtol(e, &end, 10);
    if (end && *end == '\0' && n >= 1) return int(std::min<long>(n, 16));
  }
  return int(std::clamp<unsigned>(std::thread::hardware_concurrency(), 1, 4));
}
}  // namespace

EncodeStage::EncodeStage(const Timeline& tl, ExportOutputs& out, FrameRange range, PipelineState& st,
                         StageClock& clock)
    : tl_(tl), out_(out), range_(range), st_(st), clock_(clock) {
  if (out.video) video_sink_ = out.packets->sink(out.video_stream, out.video->ctx()->time_base);
  if (!out.audio) return;
  mixer_ = std::make_unique<AudioMixer>(tl);
  audio_first_ = audio_pos_ = frame_first_sample(range.first, AudioMixer::kSampleRate, tl.fps);
  audio_end_ = frame_first_sample(range.last, AudioMixer::kSampleRate, tl.fps);
  abuf_.resize(size_t(2 * std::max(out.audio->frame_samples(), 4096)));
  audio_sink_ = out.packets->sink(out.audio_stream, out.audio->ctx()->time_base);
}

EncodeStage::~EncodeStage() = default;

void EncodeStage::skip_to_range() {
  for (int64_t pos = 0; pos < audio_first_;) {
    st_.check_cancel();
    const int n = int(std::min<int64_t>(int64_t(abuf_.size() / 2), audio_first_ - pos));
    mixer_->mix(pos, n, abuf_.data());
    pos += n;
  }
}

void EncodeStage::report_audio(int64_t encoded) {
  const int64_t total = audio_end_ - audio_first_;
  st_.frames_done = std::min<int64_t>(range_.count(), int64_t(double(encoded) / double(total) * range_.count()));
  clock_.tick(st_.frames_done);
}

void EncodeStage::audio_until(int64_t target) {
  const int fs = out_.audio->frame_samples();
  while (audio_pos_ < audio_end_ && (audio_pos_ + fs <= target || target >= audio_end_)) {
    st_.check_cancel();
    const int n = int(std::min<int64_t>(fs, audio_end_ - audio_pos_));
    mixer_->mix(audio_pos_, n, abuf_.data());
    out_.audio->encode(abuf_.data(), n, audio_pos_ - audio_first_, audio_sink_);
    if (!out_.video && audio_pos_ == audio_first_) st_.before_frame(clock_, 1);  // audio only: the hook
    audio_pos_ += n;
    if (!out_.video) report_audio(audio_pos_ - audio_first_);
  }
}

void EncodeStage::encode_video(BoundedQueue<FramePtr>& frames) {
  for (;;) {
    auto f = clock_.wait_on([&] { return frames.pop(); });
    if (!f) break;
    st_.check_cancel();
    const int64_t index = (*f)->pts;
    st_.before_frame(clock_, index);
    const auto t0 = Clock::now();
    (*f)->pts = index - range_.first;  // the output starts at pts 0
    out_.video->encode(f->get(), video_sink_);
    if (out_.audio) audio_until(frame_first_sample(index + 1, AudioMixer::kSampleRate, tl_.fps));
    clock_.frame_done(index, t0);
    st_.frames_done = index + 1 - range_.first;
  }
  st_.check_cancel();
  st_.set_phase("finishing");
  out_.video->flush(video_sink_);
}

void EncodeStage::audio_parallel(int workers) {
  // `out_.audio` only described the stream to the muxer; each chunk gets its own encoder.
  ParallelAac par;
  par.make_encoder = [&] { return out_.make_audio_encoder(); };
  par.source = [&](int64_t pos, int n, float* dst) { mixer_->mix(audio_first_ + pos, n, dst); };
  par.sink = audio_sink_;
  int64_t reported = 0;
  par.progress = [&](int64_t encoded) {
    st_.check_cancel();
    if (encoded == reported) return;  // the watchdog sees only real progress
    if (reported == 0) st_.before_frame(clock_, 1);
    reported = encoded;
    report_audio(encoded);
  };
  par.stop = &st_.cancelled;
  par.workers = workers;
  par.run(audio_end_ - audio_first_);
  audio_pos_ = audio_end_;
}

void EncodeStage::run(BoundedQueue<FramePtr>* frames) {
  if (out_.audio) skip_to_range();
  if (frames) encode_video(*frames);
  if (out_.audio) {
    const int segments = out_.video ? 1 : audio_segments();
    if (segments > 1 && out_.audio->chunkable() && audio_end_ - audio_first_ >= kParallelAudioMinSamples) {
      audio_parallel(segments);
    } else {
      audio_until(audio_end_);
      out_.audio->flush(audio_sink_);
    }
  }
  st_.frames_done = range_.count();
}

}  // namespace reelforge
