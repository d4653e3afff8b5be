// AAC encoding of one long sample stream on several threads, stitched into the packet stream a
// single encoder would write (same pts/dts/durations, same priming packet at pts -1024), for
// audio-only exports where the encoder is the bottleneck.
//
// The stream is cut into chunks of chunk_frames (kChunkFrames) AAC frames, so boundaries fall at
// multiples of 1024 samples; the last chunk takes the remainder (a remainder under a quarter chunk
// joins the chunk before). Each chunk gets a fresh encoder (same settings; AudioEncoder::chunkable()
// says for which encoders this is sound), fed with the chunk's samples at their own timeline pts plus
//  - pre-roll: preroll_frames frames before the chunk (not for chunk 0, which starts at 0 exactly
//    like the single encoder, so its packets are bit-identical to it): the new encoder's priming
//    packet, its input filter, psychoacoustic attack detector and window-sequence state settle on
//    the real signal, so the first kept frame gets the window sequence and shape the previous
//    chunk's encoder chose for it and the MDCT overlap-add across the boundary cancels the
//    time-domain aliasing. Two frames suffice in tests (one leaves a mismatched window and a
//    click on tonal input); 8 is the margin. The bit-reservoir state takes longer (about 1 s) to
//    match: until then the noise is up to ~1 dB different, like between any two encodings;
//  - post-roll: postroll_frames frames after the chunk (not for the last chunk, which is
//    flushed): the encoder is one frame behind its input and decides windows one frame ahead,
//    so the frames it keeps saw the same input and look-ahead as the next chunk's encoder.
// A packet with pts p decodes to samples [p, p + 1024) from the MDCT windows of [p - 1024,
// p + 1024) and [p, p + 2048); chunk c keeps exactly the packets with pts in
// [c * L, (c + 1) * L) (chunk 0 from -1024, the last one to the end), so every packet of the
// output comes from an encoder that saw all of its window and look-ahead.
//
// The sample source is called sequentially from sample 0 on the calling thread (AudioMixer's
// contract); chunks are encoded by worker threads; packets are handed to the sink on the calling
// thread in pts order. Memory stays bounded: at most workers + 2 chunks (about 2 MB of samples
// each) are in flight whatever the stream length.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>

#include "media/audio_encoder.h"

namespace reelforge {

struct ParallelAac {
  static constexpr int kFrame = 1024;       // AAC-LC samples per frame
  static constexpr int kChunkFrames = 256;  // 262144 samples, 5.46 s at 48 kHz
  static constexpr int kPrerollFrames = 8;
  static constexpr int kPostrollFrames = 3;

  int chunk_frames = kChunkFrames, preroll_frames = kPrerollFrames, postroll_frames = kPostrollFrames;

  // Opens one encoder (same settings every call: the chunks are concatenated).
  std::function<std::unique_ptr<AudioEncoder>()> make_encoder;
  // Writes interleaved stereo samples [pos, pos + n) into out (2 * n floats); called in order from 0.
  std::function<void(int64_t pos, int n, float* out)> source;
  // Receives the packets in order (pts/dts in 1/48000, as from AudioEncoder::encode).
  std::function<void(AVPacket*)> sink;
  // Called on the calling thread with the samples encoded so far (monotonic): every 16 frames
  // read from the source and every 50 ms while waiting for the workers. May throw to stop (e.g.
  // on cancel). Optional.
  std::function<void(int64_t encoded)> progress;
  // Workers stop early when this becomes true (the calling thread then throws from `progress`).
  const std::atomic<bool>* stop = nullptr;
  int workers = 2;

  // Encodes samples [0, total); throws the first error of the source, an encoder or the sink.
  void run(int64_t total) const;
};

}  // namespace reelforge
