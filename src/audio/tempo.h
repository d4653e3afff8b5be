// Pitch-preserving time stretching with libavfilter's atempo (WSOLA), for remapped audio.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

extern "C" {
#include <libavfilter/avfilter.h>
}

namespace reelforge {

struct FilterGraphDeleter { void operator()(AVFilterGraph* g) const { avfilter_graph_free(&g); } };
using FilterGraphPtr = std::unique_ptr<AVFilterGraph, FilterGraphDeleter>;

// 48 kHz interleaved stereo float in and out. For a changing tempo, libavfilter's `rubberband`
// filter (Rubber Band, real-time mode) where the build has it: its tempo follows each push (the
// "tempo" runtime command, 0.01..100), so speed ramps stretch continuously. Otherwise (and for
// constant tempos) `atempo` (WSOLA): one
// instance accepts 0.5..100, slower tempos chain constant 0.5 instances; atempo's runtime tempo
// changes can trip an assertion in FFmpeg 5.1 (af_atempo.c "zeros != nsamples", an abort), so
// tempos are rounded to a 1/12-octave grid and a step flushes the graph and starts a new one (a
// seam, and about a window of sound lost, per step: ramps are rough without Rubber Band).
// REELFORGE_NO_RUBBERBAND=1 forces atempo (tests).
class TempoStretcher {
 public:
  static constexpr double kMinTempo = 1.0 / 16, kMaxTempo = 100.0;

  // `ramps`: the tempo will change (use Rubber Band where available); constant tempos use atempo,
  // which costs a fraction of Rubber Band's CPU time.
  TempoStretcher(double min_tempo, bool ramps);

  // Feeds n stereo samples (2n floats) to be played at `tempo` (source seconds per output second,
  // clamped to [kMinTempo, kMaxTempo]) and appends every stretched sample ready to `out`.
  void process(const float* in, int n, double tempo, std::vector<float>& out);
  // Ends the stream: appends the filter's last samples. No process() after it.
  void flush(std::vector<float>& out);
  // Whether the stretch follows tempo changes smoothly (libavfilter has rubberband, not disabled).
  static bool follows_ramps();

 private:
  void build(double tempo);
  void push(const float* in, int n);
  void drain(std::vector<float>& out);  // appends what the sink holds

  bool rubberband_ = false;
  double min_tempo_ = 1.0;
  FilterGraphPtr graph_;
  AVFilterContext* src_ = nullptr;
  AVFilterContext* sink_ = nullptr;
  AVFilterContext* stretch_ = nullptr;  // the instance whose tempo follows the input
  double tempo_ = -1.0;                 // tempo of the current graph (after clamping)
  int64_t pts_ = 0;                     // samples pushed into the current graph (time base 1/48000)
};

}  // namespace reelforge
