// Per-frame audio features of a timeline's mix (levels and FFT band energies), for audio-reactive
// animation: one value per video frame, computed by streaming the AudioMixer chunk by chunk.
#pragma once
#include <cstdint>
#include <vector>

#include "timeline/timeline.h"

namespace reelforge {

struct AudioAnalysisOptions {
  int bands = 8;          // number of log-spaced bands, >= 1
  double fmin = 40.0;     // Hz, lower edge of band 0, > 0
  double fmax = 16000.0;  // Hz, upper edge of the last band, fmin < fmax <= 24000 (Nyquist)
};

// Row-major tables, one row per video frame. All levels in dB are floored at kFloorDb.
struct AudioAnalysis {
  static constexpr double kFloorDb = -120.0;
  int64_t frame_count = 0;
  int bands = 0;
  int fft_size = 0;                 // N, the power-of-two analysis window (samples at 48 kHz)
  std::vector<double> band_edges;   // bands + 1 edges in Hz: fmin * (fmax / fmin)^(b / bands)
  std::vector<double> rms_db;       // frame_count: 10*log10(mean of x^2 over both channels)
  std::vector<double> peak;         // frame_count: max |x| over both channels (linear, 0..1)
  std::vector<double> band_db;      // frame_count * bands
};

// Features of frame i (samples [first(i), first(i+1)) with first(i) = floor(i * 48000 / fps)):
//  - rms_db, peak: over the frame's own samples of the mixed (soft-limited) stereo signal.
//  - band_db[i][b]: the mono mix (L + R) / 2 over N samples centred on the frame (window start =
//    first(i) + floor((len(i) - N) / 2); samples outside the timeline are zero), N = the smallest
//    power of two >= the longest frame, Hann-windowed, real FFT (libavutil av_tx,
//    AV_TX_FLOAT_RDFT). The one-sided power spectrum is scaled so it sums to the window-weighted
//    mean square sum((w x)^2) / sum(w^2): a sine of amplitude A reads 10*log10(A^2 / 2) in its
//    band, like rms_db. Bin k covers [(k - 1/2), (k + 1/2)) * 48000 / N Hz and contributes to a
//    band in proportion to the overlap, so narrow bands are never empty.
// Deterministic; memory is O(N + frame_count * bands). Throws InputError for bad options and
// MediaError for unreadable clips (from the mixer).
AudioAnalysis analyze_audio(const Timeline& tl, const AudioAnalysisOptions& opt);

}  // namespace reelforge
