#include "audio/tempo.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "media/ffmpeg_ptr.h"
#include "util/errors.h"

extern "C" {
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/opt.h>
}

namespace reelforge {

namespace {
void check(int err, const char* what) {
  if (err < 0) throw MediaError(std::string("atempo filter graph: ") + what + ": " + av_error_text(err));
}

AVFilterContext* add_filter(AVFilterGraph* g, const char* filter, const char* name, const char* args) {
  AVFilterContext* ctx = nullptr;
  check(avfilter_graph_create_filter(&ctx, avfilter_get_by_name(filter), name, args, nullptr, g), filter);
  return ctx;
}
}  // namespace

bool TempoStretcher::follows_ramps() {
  return avfilter_get_by_name("rubberband") != nullptr && !std::getenv("REELFORGE_NO_RUBBERBAND");
}

TempoStretcher::TempoStretcher(double min_tempo, bool ramps)
    : rubberband_(ramps && follows_ramps()),
      min_tempo_(std::clamp(min_tempo, kMinTempo, 1.0)) {
  build(1.0);
}

void TempoStretcher::build(double tempo) {
  graph_.reset(avfilter_graph_alloc());
  if (!graph_) throw std::bad_alloc();
  graph_->nb_threads = 1;
  pts_ = 0;
  tempo_ = tempo;
  src_ = add_filter(graph_.get(), "abuffer", "in",
                    "sample_rate=48000:sample_fmt=flt:channel_layout=stereo:time_base=1/48000");
  // atempo: constant 0.5 instances bring the slowest tempo into one instance's range (>= 0.5).
  const int fixed = rubberband_ ? 0 : std::max(0, int(std::ceil(std::log2(0.5 / min_tempo_) - 1e-9)));
  const double own = std::clamp(tempo / std::pow(0.5, fixed), rubberband_ ? kMinTempo : 0.5, kMaxTempo);
  char arg[48];
  std::snprintf(arg, sizeof arg, "tempo=%.9f", own);
  stretch_ = add_filter(graph_.get(), rubberband_ ? "rubberband" : "atempo", "stretch", arg);
  check(avfilter_link(src_, 0, stretch_, 0), "link");
  AVFilterContext* prev = stretch_;
  for (int k = 0; k < fixed; ++k) {
    AVFilterContext* t = add_filter(graph_.get(), "atempo", ("half" + std::to_string(k)).c_str(), "tempo=0.5");
    check(avfilter_link(prev, 0, t, 0), "link");
    prev = t;
  }
  sink_ = add_filter(graph_.get(), "abuffersink", "out", nullptr);
  const AVSampleFormat fmts[] = {AV_SAMPLE_FMT_FLT, AV_SAMPLE_FMT_NONE};
  check(av_opt_set_int_list(sink_, "sample_fmts", fmts, AV_SAMPLE_FMT_NONE, AV_OPT_SEARCH_CHILDREN), "sink format");
  check(avfilter_link(prev, 0, sink_, 0), "link");
  check(avfilter_graph_config(graph_.get(), nullptr), "configure");
}

void TempoStretcher::process(const float* in, int n, double tempo, std::vector<float>& out) {
  tempo = std::clamp(tempo, kMinTempo, kMaxTempo);
  // atempo: tempos on a 1/12-octave grid (within +-3 %), so a ramp restarts the graph per step,
  // not per frame.
  if (!rubberband_) tempo = std::exp2(std::round(std::log2(tempo) * 12.0) / 12.0);
  if (tempo != tempo_) {
    if (rubberband_) {
      char arg[32];
      std::snprintf(arg, sizeof arg, "%.9f", tempo);
      check(avfilter_process_command(stretch_, "tempo", arg, nullptr, 0, 0), "tempo");
      tempo_ = tempo;
    } else if (pts_ == 0) {
      build(tempo);
    } else {  // atempo: the old graph's tail out, then a new graph (see the class comment)
      flush(out);
      build(tempo);
    }
  }
  push(in, n);
  drain(out);
}

void TempoStretcher::push(const float* in, int n) {
  FramePtr f = make_frame();
  f->format = AV_SAMPLE_FMT_FLT;
  f->sample_rate = 48000;
  f->nb_samples = n;
  av_channel_layout_default(&f->ch_layout, 2);
  if (av_frame_get_buffer(f.get(), 0) < 0) throw std::bad_alloc();
  std::memcpy(f->data[0], in, sizeof(float) * 2 * size_t(n));
  f->pts = pts_;
  pts_ += n;
  check(av_buffersrc_add_frame_flags(src_, f.get(), 0), "push");
}

void TempoStretcher::flush(std::vector<float>& out) {
  check(av_buffersrc_add_frame_flags(src_, nullptr, 0), "flush");
  drain(out);
}

void TempoStretcher::drain(std::vector<float>& out) {
  FramePtr got = make_frame();
  for (;;) {
    const int err = av_buffersink_get_frame(sink_, got.get());
    if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) break;
    check(err, "pull");
    const auto* p = reinterpret_cast<const float*>(got->data[0]);
    out.insert(out.end(), p, p + 2 * size_t(got->nb_samples));
    av_frame_unref(got.get());
  }
}

}  // namespace reelforge
