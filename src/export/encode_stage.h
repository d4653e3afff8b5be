// The export's encode/mux stage. Encoder frames from the render stage go through the
// VideoEncoder; after each one the audio up to that frame's end is mixed and encoded, so the
// packets of both streams reach the PacketMux together and are written interleaved. Audio-only
// AAC exports of at least 20 s are encoded in parallel chunks instead (ParallelAac), whose
// packets come back in order on this thread.
//
// A frame range [first, last) is written from pts 0; its audio is timeline samples
// [frame_first_sample(first), frame_first_sample(last)) at 48 kHz, written from pts 0.
#pragma once
#include <memory>
#include <vector>

#include "audio/mixer.h"
#include "export/outputs.h"
#include "export/pipeline_state.h"
#include "util/bounded_queue.h"

namespace reelforge {

struct FrameRange {
  int64_t first = 0, last = 0;  // half-open frame indices
  int64_t count() const { return last - first; }
};

class EncodeStage {
 public:
  EncodeStage(const Timeline& tl, ExportOutputs& out, FrameRange range, PipelineState& st, StageClock& clock);
  ~EncodeStage();
  // Encodes every frame popped from `frames` (nullptr: an audio-only output) with the audio
  // alongside, then the rest of the audio, and flushes the encoders.
  void run(BoundedQueue<FramePtr>* frames);
  int64_t audio_samples() const { return audio_pos_ - audio_first_; }

 private:
  void encode_video(BoundedQueue<FramePtr>& frames);
  // Mixes and encodes the audio up to timeline sample `target`, in whole encoder frames (a short
  // one only at the very end).
  void audio_until(int64_t target);
  void audio_parallel(int workers);
  // The mixer runs from sample 0: mix and drop the samples before the range.
  void skip_to_range();
  // Audio-only outputs: progress in frames from the samples encoded.
  void report_audio(int64_t encoded);

  const Timeline& tl_;
  ExportOutputs& out_;
  FrameRange range_;
  PipelineState& st_;
  StageClock& clock_;
  std::unique_ptr<AudioMixer> mixer_;
  int64_t audio_first_ = 0, audio_end_ = 0, audio_pos_ = 0;  // timeline samples
  std::vector<float> abuf_;
  PacketSink video_sink_, audio_sink_;
};

}  // namespace reelforge
