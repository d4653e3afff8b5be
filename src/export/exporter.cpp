#include "export/exporter.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>
#include <thread>

#include "audio/mixer.h"
#include "gpu/compositor.h"
#include "media/audio_encoder.h"
#include "media/frame_pool.h"
#include "media/muxer.h"
#include "media/parallel_aac.h"
#include "render/frame_feeder.h"
#include "util/bounded_queue.h"
#include "util/errors.h"

extern "C" {
#include <libavutil/imgutils.h>
}

namespace reelforge {

namespace {
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string lower_extension(const std::string& path) {
  std::string e = std::filesystem::path(path).extension().string();
  std::transform(e.begin(), e.end(), e.begin(), ::tolower);
  return e;
}

bool audio_only_path(const std::string& path) {
  static const std::set<std::string> ext = {".m4a", ".wav", ".mp3", ".aac", ".opus", ".ogg", ".oga", ".flac"};
  return !is_image_sequence_path(path) && ext.count(lower_extension(path)) > 0;
}

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

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

// One pipeline stage's bookkeeping for the watchdog and the per-stage fps report.
struct StageClock {
  std::string name;
  std::atomic<int64_t> last_ns{0};
  std::atomic<int64_t> frame{0};
  std::atomic<bool> finished{false};
  std::atomic<bool> waiting{false};  // blocked on a queue (starved or back-pressured), not working
  double busy = 0.0;  // seconds spent working (written by the stage's thread only)
  int64_t frames = 0;
  void tick(int64_t f) {
    frame = f;
    last_ns = Clock::now().time_since_epoch().count();
  }
};
}  // namespace

struct Export::Impl : std::enable_shared_from_this<Export::Impl> {
  std::shared_ptr<const Timeline> tl;
  ExportOptions opt;
  LogFn log;
  std::thread supervisor;
  std::atomic<bool> cancelled{false};
  std::atomic<int64_t> frames_done{0};
  Clock::time_point t0;

  mutable std::mutex m;
  std::condition_variable cv;
  bool finished = false;
  std::string phase = "starting";
  std::exception_ptr error;
  ExportResult result;

  StageClock decode{"decode"}, render{"render"}, encode{"encode"};

  void set_phase(const std::string& p) {
    std::lock_guard lk(m);
    phase = p;
  }
  // First error wins; everything else stops.
  void fail(std::exception_ptr e) {
    std::lock_guard lk(m);
    if (!error) error = e;
    cancelled = true;
  }
  void maybe_debug_stall(const StageClock& s, int64_t frame) {
    if (opt.debug_stall == s.name && frame == 1)
      while (!cancelled) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  void check_cancel() const {
    if (cancelled) throw ExportCancelled("export cancelled");
  }

  void run();
};

std::string resolve_output_codec(ExportOptions& o) {
  if (audio_only_path(o.path)) return "";
  std::string& codec = o.video.codec;
  const bool sequence = is_image_sequence_path(o.path);
  const std::string ext = lower_extension(o.path);
  if (codec.empty() || codec == "auto") codec = sequence ? "png" : ext == ".webm" ? "vp9" : ext == ".gif" ? "gif" : "h264";
  const CodecSpec& spec = codec_spec(codec);  // unknown codec: InputError
  if (sequence) {
    if (!spec.extensions.empty())
      throw InputError("video_codec '" + codec + "' cannot write the image sequence '" + o.path +
                       "': sequences are PNG (video_codec='png'); for " + codec + " give a file such as out" +
                       spec.extensions.front());
    const SequencePattern pat = parse_sequence_path(o.path);  // InputError for a malformed pattern
    if (pat.ext != ".png")
      throw InputError("image sequence '" + o.path + "' must name .png files (e.g. frames/%05d.png), got '" + pat.ext + "'");
  } else if (spec.extensions.empty()) {
    throw InputError("video_codec '" + codec + "' writes an image sequence, not the file '" + o.path +
                     "': give a pattern such as frames/%05d.png or a folder ending in '/'");
  } else if (std::find(spec.extensions.begin(), spec.extensions.end(), ext) == spec.extensions.end()) {
    std::vector<std::string> fits;
    for (const auto& c : codec_specs())
      if (std::find(c.extensions.begin(), c.extensions.end(), ext) != c.extensions.end()) fits.push_back("'" + c.codec + "'");
    if (fits.empty())
      throw InputError("unsupported output extension '" + ext + "' for '" + o.path + "': video_codec '" + codec +
                       "' goes in " + join(spec.extensions, ", "));
    throw InputError("video_codec '" + codec + "' cannot be written to a " + ext + " file ('" + o.path + "'): use " +
                     join(spec.extensions, " or ") + " for " + codec + ", or video_codec " + join(fits, " / ") +
                     " for " + ext);
  }
  validate_video_options(o.video);
  return codec;
}

Export::Export(std::shared_ptr<const Timeline> tl, ExportOptions options, LogFn log)
    : impl_(std::make_shared<Impl>()) {
  impl_->tl = std::move(tl);
  impl_->opt = std::move(options);
  impl_->log = std::move(log);
  impl_->tl->validate();
  if (impl_->opt.stall_timeout <= 0) throw InputError("stall_timeout must be > 0 seconds");
  resolve_output_codec(impl_->opt);
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
      self->fail(std::current_exception());
    }
    std::lock_guard lk(self->m);
    self->finished = true;
    self->phase = "done";
    if (self->error) {
      try {
        std::rethrow_exception(self->error);
      } catch (const ExportCancelled&) {
        self->phase = "cancelled";
      } catch (...) {
        self->phase = "failed";
      }
    }
    self->cv.notify_all();
  });
}

bool Export::wait_for(double seconds) {
  std::unique_lock lk(impl_->m);
  return impl_->cv.wait_for(lk, std::chrono::duration<double>(seconds), [&] { return impl_->finished; });
}

ExportProgress Export::progress() const {
  ExportProgress p;
  p.total_frames = impl_->tl->frame_count;
  p.frames_done = impl_->frames_done;
  p.elapsed = impl_->supervisor.joinable() ? seconds_since(impl_->t0) : 0.0;
  p.fps = p.elapsed > 0 ? double(p.frames_done) / p.elapsed : 0.0;
  p.eta = p.fps > 0 ? double(p.total_frames - p.frames_done) / p.fps : 0.0;
  std::lock_guard lk(impl_->m);
  p.phase = impl_->phase;
  return p;
}

void Export::cancel() { impl_->cancelled = true; }

ExportResult Export::result() {
  std::lock_guard lk(impl_->m);
  if (!impl_->finished) throw Error("export has not finished");
  if (impl_->error) std::rethrow_exception(impl_->error);
  return impl_->result;
}

void Export::Impl::run() {
  const Timeline& t = *tl;
  const std::string codec = resolve_output_codec(opt);
  const bool video = !codec.empty();
  const CodecSpec* spec = video ? &codec_spec(codec) : nullptr;
  const bool sequence = video && spec->extensions.empty();
  const bool rgba_in = video && spec->input == FrameInput::Rgba;
  const bool audio = !t.audio.empty() && (!video || spec->audio);
  if (!video && !audio) throw InputError("'" + opt.path + "' is an audio-only file but the scene has no audio clips");
  if (video && !spec->audio && !t.audio.empty() && log)
    log("the scene's audio is not written: " + codec + " output carries no audio");
  if (codec == "gif" && t.fps.to_double() > 50.0 && log)
    log("gif frame delays are whole 1/100 s and browsers slow delays under 2/100 s down to 1/10 s: "
        "use at most 50 fps for gif");

  // Output: a container file (Muxer) or one file per frame (ImageSequenceWriter).
  std::unique_ptr<Muxer> mux;
  std::unique_ptr<ImageSequenceWriter> seq;
  if (sequence)
    seq = std::make_unique<ImageSequenceWriter>(opt.path);
  else
    mux = std::make_unique<Muxer>(opt.path);
  std::unique_ptr<FrameFeeder> feeder;
  std::unique_ptr<Compositor> comp;
  std::unique_ptr<RgbaConverter> converter;
  OpenedEncoder venc;
  int vstream = -1, astream = -1;
  result.video_codec = codec;
  if (video) {
    feeder = std::make_unique<FrameFeeder>(t);
    comp = std::make_unique<Compositor>(VkContext::get(), t.width, t.height, t.background, feeder->layer_sources(),
                                        std::max(1, opt.gpu_slots), /*rgba_readback=*/rgba_in);
    venc = open_video_encoder(opt.video, t.width, t.height, t.fps, mux && mux->wants_global_header(), log);
    if (rgba_in) converter = std::make_unique<RgbaConverter>(venc.ctx->pix_fmt, t.width, t.height);
    if (mux) vstream = mux->add_stream(venc.ctx.get());
    result.device = comp->device_name();
    result.encoder = venc.name;
    result.refusals = venc.refusals;
  }
  std::unique_ptr<AudioMixer> mixer;
  std::unique_ptr<AudioEncoder> aenc;
  if (audio) {
    mixer = std::make_unique<AudioMixer>(t);
    aenc = std::make_unique<AudioEncoder>(mux->format(), opt.audio_bitrate, mux->wants_global_header());
    astream = mux->add_stream(aenc->ctx());
    result.audio_encoder = aenc->name();
  }
  if (mux) mux->write_header();
  set_phase("rendering");

  // Queue depth from frame size and available memory: 2 to 4 frames per queue (enough to absorb
  // jitter between stages; deeper queues only add memory and cache misses: at 4K, 8 frames made
  // the export 30 % slower than 2), the two queues together at most min(64 MB, 1/16 of
  // available memory).
  const AVPixelFormat pix = video ? venc.ctx->pix_fmt : AV_PIX_FMT_NV12;
  const size_t frame_bytes = size_t(std::max(1, av_image_get_buffer_size(pix, t.width, t.height, 1)));
  const long pages = sysconf(_SC_AVPHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  const size_t available = pages > 0 && page > 0 ? size_t(pages) * size_t(page) : size_t(1) << 31;
  const size_t budget = std::min<size_t>(size_t(64) << 20, available / 16);
  const size_t depth = opt.queue_frames > 0 ? size_t(opt.queue_frames) : std::clamp<size_t>(budget / frame_bytes / 2, 2, 4);
  BoundedQueue<FrameInputs> q_decoded(depth);
  std::unique_ptr<FramePool> frames;  // encoder input frames, recycled
  if (video) frames = std::make_unique<FramePool>(pix, t.width, t.height);
  BoundedQueue<FramePtr> q_nv12(depth);  // encoder-ready frames (NV12/yuv420p, or converted from RGBA)
  auto abort_all = [&] {
    q_decoded.abort();
    q_nv12.abort();
  };

  auto stage = [&](StageClock& clock, auto body) {
    return std::thread([&, body] {
      try {
        body();
      } catch (...) {
        fail(std::current_exception());
        abort_all();
      }
      clock.finished = true;
      cv.notify_all();
    });
  };

  std::vector<std::thread> threads;
  for (auto* c : {&decode, &render, &encode}) c->tick(0);
  if (video) {
    threads.push_back(stage(decode, [&] {
      for (int64_t i = 0; i < t.frame_count; ++i) {
        check_cancel();
        maybe_debug_stall(decode, i);
        auto w0 = Clock::now();
        FrameInputs in = feeder->frame(i);
        decode.busy += seconds_since(w0);
        decode.frames++;
        decode.tick(i);
        decode.waiting = true;
        const bool pushed = q_decoded.push(std::move(in));
        decode.waiting = false;
        if (!pushed) return;
      }
      q_decoded.close();
    }));

    threads.push_back(stage(render, [&] {
      const int slots = comp->slots();
      std::vector<int64_t> in_slot(size_t(slots), -1);
      // The GPU's NV12 readback into the encoder's frame (NV12, or yuv420p split from it).
      auto copy_nv12 = [&](int s, AVFrame* f) {
        const uint8_t* src = comp->nv12(s);
        const int stride = comp->nv12_stride();
        for (int y = 0; y < t.height; ++y) std::memcpy(f->data[0] + ptrdiff_t(y) * f->linesize[0], src + size_t(y) * stride, size_t(t.width));
        const uint8_t* uv = src + size_t(stride) * t.height;
        for (int y = 0; y < t.height / 2; ++y) {
          const uint8_t* row = uv + size_t(y) * stride;
          if (pix == AV_PIX_FMT_NV12) {
            std::memcpy(f->data[1] + ptrdiff_t(y) * f->linesize[1], row, size_t(t.width));
          } else {  // yuv420p: split the interleaved CbCr row
            uint8_t* cb = f->data[1] + ptrdiff_t(y) * f->linesize[1];
            uint8_t* cr = f->data[2] + ptrdiff_t(y) * f->linesize[2];
            for (int x = 0; x < t.width / 2; ++x) cb[x] = row[2 * x], cr[x] = row[2 * x + 1];
          }
        }
      };
      auto emit = [&](int s) {
        auto w0 = Clock::now();
        comp->wait(s);
        FramePtr f = frames->get();
        if (rgba_in)
          converter->convert(comp->rgba(s), comp->rgba_stride(), f.get());  // prores / gif / png
        else
          copy_nv12(s, f.get());  // h264 / hevc / vp9: the fast path
        f->pts = in_slot[size_t(s)];
        f->color_range = venc.ctx->color_range;
        f->colorspace = venc.ctx->colorspace;
        f->color_primaries = venc.ctx->color_primaries;
        f->color_trc = venc.ctx->color_trc;
        in_slot[size_t(s)] = -1;
        render.busy += seconds_since(w0);
        render.frames++;
        render.tick(f->pts);
        render.waiting = true;
        const bool pushed = q_nv12.push(std::move(f));
        render.waiting = false;
        if (!pushed) throw ExportCancelled("export cancelled");
      };
      for (;;) {
        render.waiting = true;
        auto in = q_decoded.pop();
        render.waiting = false;
        if (!in) break;
        check_cancel();
        maybe_debug_stall(render, in->index);
        const int s = int(in->index % slots);
        if (in_slot[size_t(s)] >= 0) emit(s);  // frame index - slots: keeps output in order
        auto w0 = Clock::now();
        comp->submit(s, in->draws, /*want_rgba=*/rgba_in, /*want_nv12=*/!rgba_in);
        render.busy += seconds_since(w0);
        in_slot[size_t(s)] = in->index;
      }
      check_cancel();
      // Drain the ring in frame order.
      std::vector<std::pair<int64_t, int>> left;
      for (int s = 0; s < slots; ++s)
        if (in_slot[size_t(s)] >= 0) left.push_back({in_slot[size_t(s)], s});
      std::sort(left.begin(), left.end());
      for (auto [frame, s] : left) emit(s);
      q_nv12.close();
    }));
  }

  threads.push_back(stage(encode, [&] {
    PacketPtr pkt = make_packet();
    const int64_t total_samples = audio ? mixer->total_samples() : 0;
    int64_t audio_pos = 0;
    std::vector<float> abuf(audio ? size_t(2 * aenc->frame_samples()) : 0);
    auto write_audio = [&](AVPacket* p) { mux->write(p, astream, aenc->ctx()->time_base); };
    // Audio up to `target` samples, in whole encoder frames (a short one only at the very end).
    auto audio_until = [&](int64_t target) {
      const int fs = aenc->frame_samples();
      while (audio_pos < total_samples && (audio_pos + fs <= target || target >= total_samples)) {
        check_cancel();
        const int n = int(std::min<int64_t>(fs, total_samples - audio_pos));
        mixer->mix(audio_pos, n, abuf.data());
        aenc->encode(abuf.data(), n, audio_pos, write_audio);
        audio_pos += n;
        if (!video) {
          if (audio_pos == n) maybe_debug_stall(encode, 1);  // audio-only: the encode stage's test hook
          frames_done = std::min<int64_t>(t.frame_count, int64_t(double(audio_pos) / total_samples * t.frame_count));
          encode.tick(frames_done);
        }
      }
    };
    auto drain_video = [&] {
      for (;;) {
        int err = avcodec_receive_packet(venc.ctx.get(), pkt.get());
        if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return;
        if (err < 0) throw EncoderError("video encoding failed: " + av_error_text(err));
        if (pkt->duration == 0) pkt->duration = 1;  // one frame, so the last frame has a length
        if (seq)
          seq->write(pkt.get(), pkt->pts);  // pts is the frame index (time base 1/fps)
        else
          mux->write(pkt.get(), vstream, venc.ctx->time_base);
        av_packet_unref(pkt.get());
      }
    };
    if (video) {
      for (;;) {
        encode.waiting = true;
        auto f = q_nv12.pop();
        encode.waiting = false;
        if (!f) break;
        check_cancel();
        maybe_debug_stall(encode, (*f)->pts);
        auto w0 = Clock::now();
        const int64_t index = (*f)->pts;
        int err = avcodec_send_frame(venc.ctx.get(), f->get());
        if (err < 0) throw EncoderError("video encoding failed: " + av_error_text(err));
        drain_video();
        if (audio) audio_until(frame_first_sample(index + 1, 48000, t.fps));
        encode.busy += seconds_since(w0);
        encode.frames++;
        frames_done = index + 1;
        encode.tick(index);
      }
      check_cancel();
      set_phase("finishing");
      int err = avcodec_send_frame(venc.ctx.get(), nullptr);
      if (err < 0) throw EncoderError("video encoder flush failed: " + av_error_text(err));
      drain_video();
    }
    const int segments = audio && !video ? audio_segments() : 1;
    if (audio && segments > 1 && aenc->chunkable() && total_samples >= kParallelAudioMinSamples) {
      // Audio-only AAC: the encoder is the bottleneck; chunks encoded on `segments` threads,
      // stitched into the single encoder's packet stream (see parallel_aac.h). `aenc` only
      // described the stream to the muxer.
      ParallelAac par;
      par.make_encoder = [&] {
        return std::make_unique<AudioEncoder>(mux->format(), opt.audio_bitrate, mux->wants_global_header());
      };
      par.source = [&](int64_t pos, int n, float* out) { mixer->mix(pos, n, out); };
      par.sink = write_audio;
      int64_t reported = 0;
      par.progress = [&](int64_t encoded) {
        check_cancel();
        if (encoded == reported) return;  // the watchdog sees only real progress
        if (reported == 0) maybe_debug_stall(encode, 1);
        reported = encoded;
        frames_done = std::min<int64_t>(t.frame_count, int64_t(double(encoded) / total_samples * t.frame_count));
        encode.tick(frames_done);
      };
      par.stop = &cancelled;
      par.workers = segments;
      par.run(total_samples);
      audio_pos = total_samples;
      result.audio_samples = audio_pos;
    } else if (audio) {
      audio_until(total_samples);
      aenc->flush(write_audio);
      result.audio_samples = audio_pos;
    }
    frames_done = t.frame_count;
  }));

  // Watchdog: on no progress for stall_timeout, fail with ExportStalled naming the stuck stage:
  // the one busy (not waiting on a queue) with the oldest progress; the others are only starved
  // or back-pressured by it.
  const auto stall_ns = int64_t(opt.stall_timeout * 1e9);
  {
    std::unique_lock lk(m);
    for (;;) {
      const bool all_done = decode.finished.load() || !video;
      if (encode.finished && all_done && (render.finished || !video)) break;
      cv.wait_for(lk, std::chrono::milliseconds(100));
      if (error) break;
      const int64_t now = Clock::now().time_since_epoch().count();
      StageClock* oldest = nullptr;
      int64_t newest = 0;
      for (auto* c : {&decode, &render, &encode}) {
        if ((c != &encode && !video) || c->finished) continue;
        newest = std::max(newest, c->last_ns.load());
        const bool better = !oldest || (oldest->waiting && !c->waiting) ||
                            (oldest->waiting == c->waiting && c->last_ns < oldest->last_ns);
        if (better) oldest = c;
      }
      if (oldest && now - newest > stall_ns) {
        lk.unlock();
        fail(std::make_exception_ptr(ExportStalled(
            "export stalled: no progress for " + std::to_string(opt.stall_timeout) + " s; stage '" + oldest->name +
            "' is stuck after frame " + std::to_string(oldest->frame.load()))));
        abort_all();
        lk.lock();
        break;
      }
    }
  }
  if (cancelled) abort_all();
  for (auto& th : threads) th.join();
  {
    std::lock_guard lk(m);
    if (error) std::rethrow_exception(error);
  }
  check_cancel();
  if (seq)
    seq->finish();
  else
    mux->finish();

  result.path = opt.path;
  result.frames = t.frame_count;
  result.seconds = seconds_since(t0);
  result.fps = result.seconds > 0 ? double(t.frame_count) / result.seconds : 0.0;
  for (auto* c : {&decode, &render, &encode})
    if (c->busy > 0) result.stage_fps[c->name] = double(c->frames) / c->busy;
}

}  // namespace reelforge
