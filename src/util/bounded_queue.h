// Bounded multi-producer queue joining pipeline stages: a full queue blocks its producer
// (backpressure); close() wakes everyone so stages can stop on error or cancel.
#pragma once
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

namespace reelforge {

template <class T>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : capacity_(capacity ? capacity : 1) {}

  // Returns false if the queue was closed before the item could be pushed.
  bool push(T item) {
    std::unique_lock lk(m_);
    not_full_.wait(lk, [&] { return closed_ || q_.size() < capacity_; });
    if (closed_) return false;
    q_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }

  // Returns nullopt once closed and drained.
  std::optional<T> pop() {
    std::unique_lock lk(m_);
    not_empty_.wait(lk, [&] { return closed_ || !q_.empty(); });
    if (q_.empty()) return std::nullopt;
    T v = std::move(q_.front());
    q_.pop_front();
    not_full_.notify_one();
    return v;
  }

  // Producer finished: consumers drain what is left, then pop() returns nullopt.
  void close() {
    std::lock_guard lk(m_);
    closed_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
  }

  // Abort: drop queued items and wake everyone.
  void abort() {
    std::lock_guard lk(m_);
    closed_ = true;
    q_.clear();
    not_full_.notify_all();
    not_empty_.notify_all();
  }

  size_t capacity() const { return capacity_; }

 private:
  size_t capacity_;
  std::mutex m_;
  std::condition_variable not_full_, not_empty_;
  std::deque<T> q_;
  bool closed_ = false;
};

}  // namespace reelforge
