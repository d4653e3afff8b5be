#include "media/parallel_aac.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "util/errors.h"

namespace reelforge {

namespace {

struct Job {
  int64_t index = 0;
  int64_t feed_begin = 0, feed_end = 0;  // samples given to this chunk's encoder
  int64_t keep_begin = 0, keep_end = 0;  // packets kept: pts in [keep_begin, keep_end)
  int64_t own_begin = 0, own_end = 0;    // the chunk's own samples (progress)
  bool last = false;
  std::vector<float> samples;            // interleaved stereo, [feed_begin, feed_end)
  std::vector<PacketPtr> packets;
  std::exception_ptr error;
  bool done = false;  // guarded by Shared::m
};

struct Shared {
  std::mutex m;
  std::condition_variable work_cv, done_cv;
  std::deque<std::shared_ptr<Job>> pending;  // submitted, not yet taken by a worker
  bool closed = false;                       // no more jobs (workers exit once pending is empty)
  std::exception_ptr first_error;            // the first worker error (guarded by m)
  std::atomic<bool> abort{false};
  std::atomic<int64_t> encoded{0};
};

// Stops and joins the workers however run() is left.
struct WorkerGuard {
  Shared& sh;
  std::vector<std::thread> threads;
  ~WorkerGuard() {
    {
      std::lock_guard lk(sh.m);
      sh.closed = true;
      if (std::uncaught_exceptions()) sh.abort = true, sh.pending.clear();
    }
    sh.work_cv.notify_all();
    for (auto& t : threads) t.join();
  }
};

}  // namespace

void ParallelAac::run(int64_t total) const {
  constexpr int fs = kFrame;
  if (total <= 0) throw InputError("parallel AAC: nothing to encode");
  if (chunk_frames < 2 || preroll_frames < 0 || postroll_frames < 0 || preroll_frames >= chunk_frames ||
      postroll_frames >= chunk_frames)
    throw InputError("parallel AAC: bad chunk geometry");
  const int64_t L = int64_t(chunk_frames) * fs;
  // Chunk c starts at c * L; the last one ends the stream and is shorter, or up to 1.25 L long
  // rather than leaving a stub of less than L / 4.
  int64_t chunks = (total + L - 1) / L;
  if (chunks > 1 && total - (chunks - 1) * L < L / 4) --chunks;
  const int64_t pre = int64_t(preroll_frames) * fs, post = int64_t(postroll_frames) * fs;

  auto make_job = [&](int64_t c) {
    auto j = std::make_shared<Job>();
    j->index = c;
    j->last = c == chunks - 1;
    j->own_begin = c * L;
    j->own_end = j->last ? total : (c + 1) * L;
    j->feed_begin = c == 0 ? 0 : j->own_begin - pre;
    j->feed_end = j->last ? total : std::min(total, j->own_end + post);
    j->keep_begin = c == 0 ? -fs : j->own_begin;
    j->keep_end = j->last ? std::numeric_limits<int64_t>::max() : j->own_end;
    j->samples.reserve(size_t(2 * (j->feed_end - j->feed_begin)));
    return j;
  };

  Shared sh;
  auto stopped = [&] { return sh.abort.load() || (stop && stop->load()); };

  auto encode_job = [&](Job& j) {
    std::unique_ptr<AudioEncoder> enc = make_encoder();
    if (enc->frame_samples() != fs)
      throw EncoderError("parallel AAC needs " + std::to_string(fs) + "-sample frames, encoder '" + enc->name() +
                         "' uses " + std::to_string(enc->frame_samples()));
    auto keep = [&](AVPacket* p) {
      if (p->pts < j.keep_begin || p->pts >= j.keep_end) return;
      PacketPtr c = make_packet();
      av_packet_move_ref(c.get(), p);
      j.packets.push_back(std::move(c));
    };
    for (int64_t pos = j.feed_begin; pos < j.feed_end; pos += fs) {
      if (stopped()) throw ExportCancelled("export cancelled");
      const int n = int(std::min<int64_t>(fs, j.feed_end - pos));
      enc->encode(j.samples.data() + 2 * (pos - j.feed_begin), n, pos, keep);
      if (pos >= j.own_begin && pos < j.own_end) sh.encoded += std::min<int64_t>(n, j.own_end - pos);
    }
    // The last chunk ends the stream like a single encoder. Any other chunk has all of its packets
    // by now (the encoder is one frame behind its input and the post-roll is longer); flush only
    // as a fallback, its extra packets are dropped.
    if (j.last || j.packets.empty() || j.packets.back()->pts != j.keep_end - fs) enc->flush(keep);
  };

  auto worker = [&] {
    for (;;) {
      std::shared_ptr<Job> j;
      {
        std::unique_lock lk(sh.m);
        sh.work_cv.wait(lk, [&] { return sh.closed || !sh.pending.empty(); });
        if (sh.pending.empty()) return;
        j = std::move(sh.pending.front());
        sh.pending.pop_front();
      }
      std::exception_ptr err;
      try {
        encode_job(*j);
      } catch (...) {
        err = std::current_exception();
      }
      {
        std::lock_guard lk(sh.m);
        if (err) {
          j->error = err;
          if (!sh.first_error && !stopped()) sh.first_error = err;
          sh.abort = true;
        }
        j->done = true;
        std::vector<float>().swap(j->samples);
      }
      sh.done_cv.notify_all();
    }
  };

  WorkerGuard guard{sh, {}};
  const int threads = int(std::clamp<int64_t>(workers, 1, chunks));
  for (int i = 0; i < threads; ++i) guard.threads.emplace_back(worker);

  // Calling thread: the source in order, chunk jobs out, packets written in order.
  const size_t max_in_flight = size_t(threads) + 2;
  std::deque<std::shared_ptr<Job>> order;  // submitted, in chunk order
  std::vector<std::shared_ptr<Job>> open;  // being filled (at most two: a chunk and the next one's pre-roll)
  int64_t expect_pts = -fs;
  auto report = [&] {
    if (progress) progress(sh.encoded.load());
  };
  auto write_front = [&] {
    std::shared_ptr<Job> j = std::move(order.front());
    order.pop_front();
    if (j->error) {
      std::lock_guard lk(sh.m);
      std::rethrow_exception(sh.first_error ? sh.first_error : j->error);
    }
    for (auto& p : j->packets) {
      if (p->pts != expect_pts)
        throw EncoderError("parallel AAC: chunk " + std::to_string(j->index) + " gave pts " + std::to_string(p->pts) +
                           ", expected " + std::to_string(expect_pts));
      expect_pts += fs;
      sink(p.get());
    }
    if (!j->last && expect_pts != j->keep_end)
      throw EncoderError("parallel AAC: chunk " + std::to_string(j->index) + " ended at pts " +
                         std::to_string(expect_pts) + ", expected " + std::to_string(j->keep_end));
  };
  // Writes the finished jobs at the front of `order`, waiting until at most `keep` remain.
  auto drain = [&](size_t keep) {
    while (!order.empty()) {
      bool ready;
      {
        std::unique_lock lk(sh.m);
        ready = order.front()->done;
        if (!ready && order.size() > keep) {
          sh.done_cv.wait_for(lk, std::chrono::milliseconds(50));
          ready = order.front()->done;
        }
      }
      if (ready) {
        write_front();
      } else if (order.size() <= keep) {
        return;
      }
      report();
    }
  };

  std::vector<float> block(2 * size_t(fs));
  int64_t next_chunk = 0;
  for (int64_t pos = 0; pos < total; pos += fs) {
    while (next_chunk < chunks && (next_chunk == 0 ? 0 : next_chunk * L - pre) == pos) open.push_back(make_job(next_chunk++));
    const int n = int(std::min<int64_t>(fs, total - pos));
    source(pos, n, block.data());
    for (auto& j : open) j->samples.insert(j->samples.end(), block.begin(), block.begin() + 2 * n);
    while (!open.empty() && open.front()->feed_end == pos + n) {
      drain(max_in_flight - 1);
      {
        std::lock_guard lk(sh.m);
        sh.pending.push_back(open.front());
      }
      sh.work_cv.notify_one();
      order.push_back(std::move(open.front()));
      open.erase(open.begin());
    }
    if ((pos / fs) % 16 == 0) {
      drain(std::numeric_limits<size_t>::max());
      report();
    }
  }
  if (!open.empty() || next_chunk != chunks) throw EncoderError("parallel AAC: chunks left unsubmitted");
  drain(0);
  report();
}

}  // namespace reelforge
