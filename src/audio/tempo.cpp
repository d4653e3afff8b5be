#include "audio/tempo.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
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

TempoStretcher::TempoStretcher(double min_tempo) : graph_(avfilter_graph_alloc()) {
  if (!graph_) throw std::bad_alloc();
  graph_->nb_threads = 1;
  // Instances chained so that each runs at >= 0.5 (atempo's lower limit) for tempos >= min_tempo.
  const double lo = std::clamp(min_tempo, kMinTempo, 1.0);
  const int stages = std::max(1, int(std::ceil(std::log(lo) / std::log(0.5) - 1e-9)));
  src_ = add_filter(graph_.get(), "abuffer", "in",
                    "sample_rate=48000:sample_fmt=flt:channel_layout=stereo:time_base=1/48000");
  AVFilterContext* prev = src_;
  for (int k = 0; k < stages; ++k) {
    const std::string name = "atempo" + std::to_string(k);
    AVFilterContext* t = add_filter(graph_.get(), "atempo", name.c_str(), "tempo=1.0");
    check(avfilter_link(prev, 0, t, 0), "link");
    stages_.push_back(t);
    prev = t;
  }
  sink_ = add_filter(graph_.get(), "abuffersink", "out", nullptr);
  const AVSampleFormat fmts[] = {AV_SAMPLE_FMT_FLT, AV_SAMPLE_FMT_NONE};
  check(av_opt_set_int_list(sink_, "sample_fmts", fmts, AV_SAMPLE_FMT_NONE, AV_OPT_SEARCH_CHILDREN), "sink format");
  check(avfilter_link(prev, 0, sink_, 0), "link");
  check(avfilter_graph_config(graph_.get(), nullptr), "configure");
}

void TempoStretcher::set_tempo(double tempo) {
  tempo = std::clamp(tempo, kMinTempo, kMaxTempo);
  if (tempo == tempo_) return;
  tempo_ = tempo;
  // Spread over the stages; a stage alone covers tempos >= 0.5.
  const double each = std::pow(tempo, 1.0 / double(stages_.size()));
  char arg[32];
  std::snprintf(arg, sizeof arg, "%.9f", each);
  for (AVFilterContext* t : stages_) check(avfilter_process_command(t, "tempo", arg, nullptr, 0, 0), "tempo");
}

void TempoStretcher::process(const float* in, int n, std::vector<float>& out) {
  if (n > 0) {
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
  drain(out);
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
