// CachedGenerator: one picture per key, shared across threads; generated_pixel_size caps.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "generated/image_generator.h"

using namespace reelforge;

namespace {
// The picture depends on the frame's parameter only (frame / 3): frames 0-2 share one picture.
class Steps : public CachedGenerator {
 public:
  Steps() : CachedGenerator(2) {}
  std::vector<float> key(const GenerateRequest& r) const override { return {float(r.frame / 3)}; }
  std::shared_ptr<const RgbaImage> render(const GenerateRequest& r) const override {
    auto img = std::make_shared<RgbaImage>();
    img->width = img->height = 2;
    img->pixels.assign(16, uint8_t(r.frame / 3));
    return img;
  }
};
GenerateRequest at(int64_t f) {
  GenerateRequest r;
  r.frame = r.local = f;
  return r;
}
}  // namespace

TEST_CASE("equal keys give one pointer; a small cache evicts the oldest") {
  Steps g;
  auto a = g.at(at(0));
  CHECK(g.at(at(1)) == a);
  CHECK(g.at(at(2)) == a);
  auto b = g.at(at(3));
  CHECK(b != a);
  CHECK(b->pixels[0] == 1);
  CHECK(g.renders() == 2);
  g.at(at(6));                 // third key: the cache (2) drops key 0
  CHECK(g.at(at(4)) == b);     // key 1 still cached
  g.at(at(0));
  CHECK(g.renders() == 4);     // key 0 rendered again
}

TEST_CASE("concurrent callers agree on one picture per key") {
  Steps g;
  std::vector<std::thread> threads;
  std::vector<std::shared_ptr<const RgbaImage>> got(8);
  std::atomic<int> go{0};
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      while (!go.load()) std::this_thread::yield();
      got[size_t(t)] = g.at(at(1));
    });
  go = 1;
  for (auto& th : threads) th.join();
  for (const auto& p : got) CHECK(p == got[0]);
  CHECK(g.renders() >= 1);
}

TEST_CASE("raster size: displayed size rounded up, capped") {
  CHECK(generated_pixel_size(100, 50, 1, 1) == std::pair{100, 50});
  CHECK(generated_pixel_size(100, 50, 4, 4) == std::pair{400, 200});
  CHECK(generated_pixel_size(10.2, 3, 1, 1) == std::pair{11, 3});
  CHECK(generated_pixel_size(0, 0, 1, 1) == std::pair{1, 1});
  auto [w, h] = generated_pixel_size(1000, 1000, 100, 100);
  CHECK(w <= kMaxGeneratedSide);
  CHECK(int64_t(w) * h <= kMaxGeneratedPixels + 2 * kMaxGeneratedSide);
  CHECK(w == h);
}
