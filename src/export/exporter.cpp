#include "export/exporter.h"

#include <thread>

#include "export/decode_stage.h"
#include "export/encode_stage.h"
#include "export/outputs.h"
#include "export/pipeline_state.h"
#include "export/queue_sizing.h"
#include "export/render_stage.h"
#include "export/watchdog.h"
#include "util/errors.h"

namespace reelforge {

struct Export::Impl {
  std::shared_ptr<const Timeline> tl;
  ExportOptions opt;
  std::string codec;  // resolved; "" for audio-only outputs
  LogFn log;
  std::thread supervisor;
  Clock::time_point t0;
  PipelineState st;
  bool finished = false;  // guarded by st.m
  double final_elapsed = 0.0;  // seconds from start to finish, once finished (guarded by st.m)
  ExportResult result;
  StageClock decode{"decode"}, render{"render"}, encode{"encode"};

  void run();
  void warn_about_output() const;
  void finish_result();
};

void Export::Impl::warn_about_output() const {
  if (!log) return;
  const Timeline& t = *tl;
  if (!codec.empty() && !codec_spec(codec).audio && !t.audio.empty())
    log("the scene's audio is not written: " + codec + " output carries no audio");
  if (codec == "gif" && t.fps.to_double() > 50.0)
    log("gif frame delays are whole 1/100 s and browsers slow delays under 2/100 s down to 1/10 s: "
        "use at most 50 fps for gif");
}

// Opens the outputs, starts the stages, watches them, then finishes the file.
void Export::Impl::run() {
  const Timeline& t = *tl;
  const bool video = !codec.empty();
  const bool audio = !t.audio.empty() && (!video || codec_spec(codec).audio);
  if (!video && !audio) throw InputError("'" + opt.path + "' is an audio-only file but the scene has no audio clips");
  warn_about_output();
  const FrameRange range{opt.first_frame, opt.last_frame};

  ExportOutputs out = open_outputs(t, opt, codec, audio, log);
  std::unique_ptr<FrameFeeder> feeder;
  std::unique_ptr<RenderStage> renderer;
  if (video) {
    feeder = std::make_unique<FrameFeeder>(t);
    renderer = std::make_unique<RenderStage>(t, feeder->layer_sources(), opt.gpu_slots, *out.video,
                                             codec_spec(codec).input);
    result.device = renderer->device();
    result.encoder = out.video->name();
    result.refusals = out.video->refusals();
  }
  if (audio) result.audio_encoder = out.audio->name();
  EncodeStage encoder(t, out, range, st, encode);
  st.set_phase("rendering");

  const size_t depth = queue_depth(video ? out.video->ctx()->pix_fmt : AV_PIX_FMT_NV12, t.width, t.height, opt.queue_frames);
  BoundedQueue<FrameInputs> q_decoded(depth);
  BoundedQueue<FramePtr> q_frames(depth);  // encoder-ready frames
  auto abort_all = [&] {
    q_decoded.abort();
    q_frames.abort();
  };
  std::vector<StageClock*> clocks = {&encode};
  std::vector<std::thread> threads;
  for (auto* c : {&decode, &render, &encode}) c->tick(0);
  if (video) {
    clocks = {&decode, &render, &encode};
    threads.push_back(start_stage(st, decode, [&] { run_decode_stage(*feeder, range.first, range.last, q_decoded, st, decode); }, abort_all));
    threads.push_back(start_stage(st, render, [&] { renderer->run(q_decoded, q_frames, st, render); }, abort_all));
  }
  threads.push_back(start_stage(st, encode, [&] { encoder.run(video ? &q_frames : nullptr); }, abort_all));

  Watchdog(clocks, opt.stall_timeout).watch(st);
  if (st.cancelled) abort_all();
  for (auto& th : threads) th.join();
  {
    std::lock_guard lk(st.m);
    if (st.error) std::rethrow_exception(st.error);
  }
  st.check_cancel();
  out.packets->finish();
  result.audio_samples = encoder.audio_samples();
  result.video_codec = codec;
  finish_result();
}

void Export::Impl::finish_result() {
  result.path = opt.path;
  result.frames = opt.last_frame - opt.first_frame;
  result.seconds = seconds_since(t0);
  result.fps = result.seconds > 0 ? double(result.frames) / result.seconds : 0.0;
  for (auto* c : {&decode, &render, &encode})
    if (c->busy > 0) result.stage_fps[c->name] = double(c->frames) / c->busy;
}

Export::Export(std::shared_ptr<const Timeline> tl, ExportOptions options, LogFn log, ExportHooks hooks)
    : impl_(std::make_shared<Impl>()) {
  impl_->tl = std::move(tl);
  impl_->opt = std::move(options);
  impl_->log = std::move(log);
  impl_->st.hooks = std::move(hooks);
  impl_->tl->validate();
  const Timeline& t = *impl_->tl;
  impl_->codec = validate_export_options(impl_->opt, t.width, t.height, t.frame_count);
}

Export::~Export() {
  if (impl_->supervisor.joinable()) {
    cancel();
    impl_->supervisor.join();
  }
}

void Export::start() {
  if (impl_->supervisor.joinable()) throw Error("export already started");
  impl_->t0 = Clock::now();
  auto self = impl_;
  impl_->supervisor = std::thread([self] {
    try {
      self->run();
    } catch (...) {
      self->st.fail(std::current_exception());
    }
    std::lock_guard lk(self->st.m);
    self->finished = true;
    self->final_elapsed = seconds_since(self->t0);
    self->st.phase = "done";
    if (self->st.error) {
      try {
        std::rethrow_exception(self->st.error);
      } catch (const ExportCancelled&) {
        self->st.phase = "cancelled";
      } catch (...) {
        self->st.phase = "failed";
      }
    }
    self->st.cv.notify_all();
  });
}

bool Export::started() const { return impl_->supervisor.joinable(); }

bool Export::wait_for(double seconds) {
  std::unique_lock lk(impl_->st.m);
  return impl_->st.cv.wait_for(lk, std::chrono::duration<double>(seconds), [&] { return impl_->finished; });
}

ExportProgress Export::progress() const {
  ExportProgress p;
  p.total_frames = impl_->opt.last_frame - impl_->opt.first_frame;
  p.frames_done = impl_->st.frames_done;
  std::lock_guard lk(impl_->st.m);
  p.elapsed = impl_->finished ? impl_->final_elapsed : impl_->supervisor.joinable() ? seconds_since(impl_->t0) : 0.0;
  p.fps = p.elapsed > 0 ? double(p.frames_done) / p.elapsed : 0.0;
  p.eta = p.fps > 0 ? double(p.total_frames - p.frames_done) / p.fps : 0.0;
  p.phase = impl_->st.phase;
  return p;
}

void Export::cancel() { impl_->st.cancelled = true; }

ExportResult Export::result() {
  std::lock_guard lk(impl_->st.m);
  if (!impl_->finished) throw Error("export has not finished");
  if (impl_->st.error) std::rethrow_exception(impl_->st.error);
  return impl_->result;
}

}  // namespace reelforge
