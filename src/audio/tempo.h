// Pitch-preserving time stretching with libavfilter's atempo (WSOLA), for remapped audio.
#pragma once
#include <memory>
#include <vector>

extern "C" {
#include <libavfilter/avfilter.h>
}

namespace reelforge {

struct FilterGraphDeleter { void operator()(AVFilterGraph* g) const { avfilter_graph_free(&g); } };
using FilterGraphPtr = std::unique_ptr<AVFilterGraph, FilterGraphDeleter>;

// 48 kHz interleaved stereo float in and out. One atempo instance accepts tempos 0.5..100, so
// tempos down to `min_tempo` chain several, each running at tempo^(1/stages). The tempo may change
// between pushes (a speed ramp): atempo's runtime "tempo" command.
class TempoStretcher {
 public:
  static constexpr double kMinTempo = 1.0 / 16, kMaxTempo = 100.0;

  explicit TempoStretcher(double min_tempo);

  // Source seconds per output second for the samples pushed next, clamped to [kMinTempo, kMaxTempo].
  void set_tempo(double tempo);
  // Feeds n stereo samples (2n floats) and appends every stretched sample ready to `out`.
  void process(const float* in, int n, std::vector<float>& out);
  // Ends the stream: appends atempo's last samples. No process() after it.
  void flush(std::vector<float>& out);

 private:
  void drain(std::vector<float>& out);  // appends what the sink holds

  FilterGraphPtr graph_;
  AVFilterContext* src_ = nullptr;
  AVFilterContext* sink_ = nullptr;
  std::vector<AVFilterContext*> stages_;
  double tempo_ = 1.0;
  int64_t pts_ = 0;  // samples pushed so far (the source's time base is 1/48000)
};

}  // namespace reelforge
