#include "audio/analysis.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

#include "audio/mixer.h"
#include "util/errors.h"

extern "C" {
#include <libavutil/mem.h>
#include <libavutil/tx.h>
}

namespace reelforge {

namespace {

constexpr int kRate = AudioMixer::kSampleRate;
constexpr int kChunk = 8192;  // samples mixed per AudioMixer::mix call

struct TxDeleter {
  void operator()(AVTXContext* c) const { av_tx_uninit(&c); }
};
struct AvFree {
  void operator()(void* p) const { av_free(p); }
};
template <class T>
std::unique_ptr<T, AvFree> av_array(size_t n) {
  auto* p = static_cast<T*>(av_malloc(n * sizeof(T)));
  if (!p) throw std::bad_alloc();
  return std::unique_ptr<T, AvFree>(p);
}

double to_db(double power) { return std::max(AudioAnalysis::kFloorDb, 10.0 * std::log10(std::max(power, 1e-300))); }

// One band's share of the spectrum: bins [first, first + weight.size()) with overlap weights.
struct BandBins {
  int first = 0;
  std::vector<double> weight;
};

}  // namespace

AudioAnalysis analyze_audio(const Timeline& tl, const AudioAnalysisOptions& opt) {
  if (opt.bands < 1 || opt.bands > 1024)
    throw InputError("analyze_audio: bands must be in 1..1024, got " + std::to_string(opt.bands));
  if (!(std::isfinite(opt.fmin) && std::isfinite(opt.fmax) && opt.fmin > 0 && opt.fmin < opt.fmax &&
        opt.fmax <= kRate / 2.0))
    throw InputError("analyze_audio: need 0 < fmin < fmax <= " + std::to_string(kRate / 2) + " Hz, got fmin=" +
                     std::to_string(opt.fmin) + " fmax=" + std::to_string(opt.fmax));
  if (tl.fps.num <= 0 || tl.fps.den <= 0 || tl.frame_count < 0)
    throw InputError("analyze_audio: invalid fps or frame count");

  AudioMixer mixer(tl);  // reads every clip's header: MediaError for unreadable files
  const Rational fps = tl.fps;
  const int64_t frames = tl.frame_count, total = mixer.total_samples();
  const auto first = [&](int64_t i) { return frame_first_sample(i, kRate, fps); };

  AudioAnalysis res;
  res.frame_count = frames;
  res.bands = opt.bands;
  res.band_edges.resize(size_t(opt.bands) + 1);
  for (int b = 0; b <= opt.bands; ++b)
    res.band_edges[size_t(b)] = opt.fmin * std::pow(opt.fmax / opt.fmin, double(b) / opt.bands);
  res.band_edges.back() = opt.fmax;
  res.rms_db.assign(size_t(frames), AudioAnalysis::kFloorDb);
  res.peak.assign(size_t(frames), 0.0);
  res.band_db.assign(size_t(frames) * size_t(opt.bands), AudioAnalysis::kFloorDb);

  // Window: the smallest power of two covering the longest frame, ceil(48000 * den / num).
  const int64_t longest = int64_t(((__int128)kRate * fps.den + fps.num - 1) / fps.num);
  if (longest > (int64_t(1) << 24)) throw InputError("analyze_audio: fps too low (frames longer than 2^24 samples)");
  int n = 16;
  while (n < longest) n *= 2;
  res.fft_size = n;
  if (frames == 0) return res;

  AVTXContext* raw_tx = nullptr;
  av_tx_fn tx_fn = nullptr;
  const float scale = 1.0f;
  int err = av_tx_init(&raw_tx, &tx_fn, AV_TX_FLOAT_RDFT, 0, n, &scale, 0);
  if (err < 0 || !raw_tx) throw Error("analyze_audio: av_tx_init(RDFT, " + std::to_string(n) + ") failed: " + av_error_text(err));
  std::unique_ptr<AVTXContext, TxDeleter> tx(raw_tx);
  auto in = av_array<float>(size_t(n) + 16);
  auto out = av_array<AVComplexFloat>(size_t(n) / 2 + 1 + 8);

  // Periodic Hann window and the spectrum scale (see analysis.h).
  std::vector<float> window(static_cast<size_t>(n));
  double wsum2 = 0.0;
  for (int k = 0; k < n; ++k) {
    const double w = 0.5 * (1.0 - std::cos(2.0 * M_PI * k / n));
    window[size_t(k)] = float(w);
    wsum2 += w * w;
  }
  const double spec_scale = 1.0 / (double(n) * wsum2);

  // Band -> bins with fractional overlap; bin k covers [(k - 0.5) df, (k + 0.5) df).
  const double df = double(kRate) / n;
  const int nbins = n / 2 + 1;
  std::vector<BandBins> band_bins(static_cast<size_t>(opt.bands));
  for (int b = 0; b < opt.bands; ++b) {
    const double lo = res.band_edges[size_t(b)], hi = res.band_edges[size_t(b) + 1];
    const int k0 = std::clamp(int(std::floor(lo / df + 0.5)), 0, nbins - 1);
    const int k1 = std::clamp(int(std::floor(hi / df + 0.5)), 0, nbins - 1);
    BandBins& bb = band_bins[size_t(b)];
    bb.first = k0;
    for (int k = k0; k <= k1; ++k) {
      const double a = std::max(lo, (k - 0.5) * df), z = std::min(hi, (k + 0.5) * df);
      bb.weight.push_back(std::max(0.0, z - a) / df);
    }
  }

  // Stream the mix. `mono` holds (L + R) / 2 for timeline samples [mono_start, mono_start + size).
  std::vector<float> stereo(2 * size_t(kChunk));
  std::vector<float> mono;
  const auto win_start = [&](int64_t i) {
    const int64_t a = first(i), len = first(i + 1) - a;
    const int64_t d = len - n;  // <= 0
    return a + (d >= 0 ? d / 2 : -((-d + 1) / 2));  // a + floor(d / 2)
  };
  int64_t mono_start = std::min<int64_t>(0, win_start(0));
  mono.assign(size_t(-mono_start), 0.0f);  // zeros before the timeline starts
  int64_t mix_pos = 0;
  int64_t acc_frame = 0, acc_end = first(1);  // level accumulation: the frame sample mix_pos falls in
  double acc_sum = 0.0;
  float acc_peak = 0.0f;
  const auto close_frame = [&] {
    const int64_t len = first(acc_frame + 1) - first(acc_frame);
    res.rms_db[size_t(acc_frame)] = len > 0 ? to_db(acc_sum / (2.0 * double(len))) : AudioAnalysis::kFloorDb;
    res.peak[size_t(acc_frame)] = acc_peak;
    acc_sum = 0.0;
    acc_peak = 0.0f;
    ++acc_frame;
    acc_end = first(acc_frame + 1);
  };

  std::vector<double> power(static_cast<size_t>(nbins));
  for (int64_t i = 0; i < frames; ++i) {
    const int64_t ws = win_start(i), we = ws + n;
    // Drop samples no window needs any more (windows only move forward), in big steps.
    if (ws - mono_start > int64_t(4 * kChunk)) {
      mono.erase(mono.begin(), mono.begin() + (ws - mono_start));
      mono_start = ws;
    }
    while (mono_start + int64_t(mono.size()) < we) {
      // Past the end the mixer yields zeros; mixing them keeps the code simple (at most N/2 samples).
      mixer.mix(mix_pos, kChunk, stereo.data());
      const size_t base = mono.size();
      mono.resize(base + kChunk);
      for (int s = 0; s < kChunk; ++s) {
        const float l = stereo[2 * size_t(s)], r = stereo[2 * size_t(s) + 1];
        mono[base + size_t(s)] = 0.5f * (l + r);
      }
      // Levels over each frame's own samples, both channels.
      for (int s = 0; s < kChunk;) {
        const int64_t pos = mix_pos + s;
        if (acc_frame >= frames || pos >= total) break;
        const int stop = int(std::min<int64_t>(kChunk, acc_end - mix_pos));
        double sum = 0.0;
        float pk = acc_peak;
        for (; s < stop; ++s) {
          const float l = stereo[2 * size_t(s)], r = stereo[2 * size_t(s) + 1];
          sum += double(l) * l + double(r) * r;
          pk = std::max(pk, std::max(std::fabs(l), std::fabs(r)));
        }
        acc_sum += sum;
        acc_peak = pk;
        if (mix_pos + s == acc_end) close_frame();
      }
      mix_pos += kChunk;
    }
    // Windowed FFT of [ws, we).
    const float* src = mono.data() + (ws - mono_start);
    float* buf = in.get();
    for (int k = 0; k < n; ++k) buf[k] = src[k] * window[size_t(k)];
    tx_fn(tx.get(), out.get(), buf, sizeof(float));
    const AVComplexFloat* X = out.get();
    for (int k = 0; k < nbins; ++k) {
      const double re = X[k].re, im = X[k].im;
      power[size_t(k)] = (k == 0 || k == n / 2 ? 1.0 : 2.0) * (re * re + im * im) * spec_scale;
    }
    double* row = res.band_db.data() + size_t(i) * size_t(opt.bands);
    for (int b = 0; b < opt.bands; ++b) {
      const BandBins& bb = band_bins[size_t(b)];
      double e = 0.0;
      for (size_t j = 0; j < bb.weight.size(); ++j) e += bb.weight[j] * power[size_t(bb.first) + j];
      row[b] = to_db(e);
    }
  }
  while (acc_frame < frames) close_frame();  // (frames of zero length at very high fps)
  return res;
}

}  // namespace reelforge
