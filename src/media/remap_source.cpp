#include "media/remap_source.h"

#include <algorithm>

namespace reelforge {

double layer_source_time(const Layer& l, int64_t i, Rational fps) {
  const auto& st = l.source_time;
  if (st.empty()) return frame_time(i - l.start_frame, fps) + l.trim_start;
  return st.size() == 1 ? st[0] : st[size_t(std::clamp<int64_t>(i - l.start_frame, 0, int64_t(st.size()) - 1))];
}

bool remap_goes_backward(const Layer& l) {
  const auto& st = l.source_time;
  for (size_t k = 1; k < st.size(); ++k)
    if (st[k] < st[k - 1]) return true;
  return false;
}

RemapSource::RemapSource(const std::string& path, bool strict, bool backward)
    : path_(path), strict_(strict), backward_(backward) {}

void RemapSource::reopen(double t) {
  win_.clear();
  win_t_.clear();
  ++reopens_;
  // The same decoder when it can seek there: a new one per window would churn its threads and
  // frame pool (and the allocator's arenas with them).
  if (dec_ && dec_->seek(std::max(0.0, t))) return;
  dec_.reset();  // its frames and threads go before the next decoder's arrive
  dec_ = std::make_unique<VideoSource>(path_, std::max(0.0, t), strict_);
  tol_ = dec_->tolerance();
  if (++decoders_ == 1 && backward_) {
    // One decoded 4:2:0 picture: luma + two quarter-size chroma planes (+ alpha).
    const size_t luma = size_t(dec_->width()) * size_t(dec_->height());
    const size_t budget = std::max<size_t>(2, kWindowBytes / std::max<size_t>(1, luma * (dec_->has_alpha() ? 5 : 3) / 2));
    const auto gop = dec_->longest_gop_frames();
    cap_ = gop ? std::clamp<size_t>(size_t((*gop + kGopShare - 1) / kGopShare), 2, budget) : budget;
  }
  // VideoSource lands on the keyframe before t, or decodes from the start when that fails: a first
  // frame after t is then the stream's first frame, shown for every time before it.
  const auto first = dec_->next_frame_time();
  if (first && *first > t + tol_) stream_first_ = *first;
}

bool RemapSource::covers(double t) const {
  if (win_.empty()) return false;
  const bool after_front = win_t_.front() <= t + tol_ || win_t_.front() == stream_first_;
  const auto next = dec_->next_frame_time();
  return after_front && (!next || *next > t + tol_);
}

const AVFrame* RemapSource::pick(double t) const {
  size_t k = win_t_.size() - 1;
  while (k > 0 && win_t_[k] > t + tol_) --k;
  return win_[k].get();
}

void RemapSource::decode_up_to(double t, size_t keep) {
  // The next frame is taken while it is due (pts <= t within the tolerance), or when nothing is
  // kept yet (times before the first frame show it, as in VideoSource).
  while (const auto n = dec_->next_frame_time()) {
    if (!win_.empty() && *n > t + tol_) break;
    FramePtr f = make_frame();
    av_frame_ref(f.get(), dec_->frame_at(*n));
    ++decoded_;
    win_.push_back(std::move(f));
    win_t_.push_back(*n);
    while (win_.size() > keep) {
      win_.pop_front();
      win_t_.pop_front();
    }
  }
}

const AVFrame* RemapSource::frame_at(double t) {
  t = std::max(0.0, t);
  if (dec_ && covers(t)) return pick(t);
  const auto next = dec_ ? dec_->next_frame_time() : std::nullopt;
  const bool ahead = dec_ && !win_.empty() && t + tol_ >= win_t_.back();
  if (ahead && !(next && t - *next > kSeekAheadSeconds)) {
    decode_up_to(t, 2);  // playing forward: nothing older is needed
  } else {
    reopen(t);  // backwards, or a long jump: decoded from the keyframe before t, the last frames kept
    decode_up_to(t, cap_);
  }
  return pick(t);
}

}  // namespace reelforge
