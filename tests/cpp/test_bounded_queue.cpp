// BoundedQueue (src/util/bounded_queue.h): FIFO order, backpressure (a full queue blocks its
// producer), close() drains then ends, abort() drops, and nothing is lost or duplicated with
// several producers.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "util/bounded_queue.h"

using reelforge::BoundedQueue;
using namespace std::chrono_literals;

TEST_CASE("bounded queue: FIFO, capacity 0 means 1") {
  BoundedQueue<int> q(3);
  CHECK(q.capacity() == 3);
  CHECK(BoundedQueue<int>(0).capacity() == 1);
  for (int i = 0; i < 3; ++i) REQUIRE(q.push(i));
  for (int i = 0; i < 3; ++i) CHECK(q.pop() == i);
}

TEST_CASE("bounded queue: a full queue blocks its producer until a pop") {
  BoundedQueue<int> q(2);
  REQUIRE(q.push(1));
  REQUIRE(q.push(2));
  std::atomic<bool> pushed{false};
  std::thread producer([&] { pushed = q.push(3); });
  std::this_thread::sleep_for(50ms);
  CHECK_FALSE(pushed.load());  // still blocked: the queue is full
  CHECK(q.pop() == 1);
  producer.join();
  CHECK(pushed.load());
  CHECK(q.pop() == 2);
  CHECK(q.pop() == 3);
}

TEST_CASE("bounded queue: close() lets consumers drain, then pop() ends; push() refuses") {
  BoundedQueue<int> q(4);
  REQUIRE(q.push(7));
  REQUIRE(q.push(8));
  q.close();
  CHECK_FALSE(q.push(9));
  CHECK(q.pop() == 7);
  CHECK(q.pop() == 8);
  CHECK_FALSE(q.pop().has_value());
  CHECK_FALSE(q.pop().has_value());  // stays ended
}

TEST_CASE("bounded queue: close() wakes a blocked producer and a blocked consumer") {
  BoundedQueue<int> full(1);
  REQUIRE(full.push(1));
  std::atomic<int> producer_result{-1};
  std::thread producer([&] { producer_result = full.push(2) ? 1 : 0; });
  BoundedQueue<int> empty(1);
  std::atomic<int> consumer_result{-1};
  std::thread consumer([&] { consumer_result = empty.pop().has_value() ? 1 : 0; });
  std::this_thread::sleep_for(30ms);
  CHECK(producer_result == -1);
  CHECK(consumer_result == -1);
  full.close();
  empty.close();
  producer.join();
  consumer.join();
  CHECK(producer_result == 0);
  CHECK(consumer_result == 0);
}

TEST_CASE("bounded queue: abort() drops queued items") {
  BoundedQueue<int> q(4);
  REQUIRE(q.push(1));
  REQUIRE(q.push(2));
  q.abort();
  CHECK_FALSE(q.pop().has_value());
  CHECK_FALSE(q.push(3));
}

TEST_CASE("bounded queue: four producers, one consumer: every item once, each producer in order") {
  constexpr int kProducers = 4, kItems = 2000;
  BoundedQueue<int> q(3);
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p)
    producers.emplace_back([&, p] {
      for (int i = 0; i < kItems; ++i) REQUIRE(q.push(p * kItems + i));
    });
  std::thread closer([&] {
    for (auto& t : producers) t.join();
    q.close();
  });
  std::vector<int> last(kProducers, -1);
  int received = 0;
  bool ordered = true;
  while (auto v = q.pop()) {
    const int p = *v / kItems, i = *v % kItems;
    ordered &= i == last[size_t(p)] + 1;
    last[size_t(p)] = i;
    ++received;
  }
  closer.join();
  CHECK(ordered);
  CHECK(received == kProducers * kItems);
  for (int p = 0; p < kProducers; ++p) CHECK(last[size_t(p)] == kItems - 1);
}
