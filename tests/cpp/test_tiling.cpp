// Tile grouping (src/gpu/tiling.h) against a per-pixel reference: a layer belongs to a tile when
// some canvas pixel of the tile lies within its bounds grown by one pixel (floor/ceil to whole
// pixels), unless a layer above has an opaque rectangle containing every pixel of the tile and of
// the column left of it (composite.comp computes that column too, for left-sited chroma).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <vector>

#include "gpu/tiling.h"

using reelforge::group_tiles;
using reelforge::kTileH;
using reelforge::kTileW;
using reelforge::TileGroup;
using reelforge::TileLayer;

namespace {

bool touches(const TileLayer& l, int px, int py) {  // pixel [px, px+1) x [py, py+1)
  const auto& b = l.bounds;
  if (!(b[2] > b[0] && b[3] > b[1])) return false;
  return px >= std::floor(b[0]) - 1 && px < std::ceil(b[2]) + 1 && py >= std::floor(b[1]) - 1 &&
         py < std::ceil(b[3]) + 1;
}

bool hides_pixel(const TileLayer& l, int px, int py) {
  const auto& o = l.opaque;
  return o[2] > o[0] && px >= o[0] && px + 1 <= o[2] && py >= o[1] && py + 1 <= o[3];
}

// Whether layer n hides every pixel of tile (tx, ty) and the column left of it (clipped to the canvas).
bool hides_tile(int w, int h, const TileLayer& l, int tx, int ty) {
  const int x1 = std::min(w, (tx + 1) * kTileW), y1 = std::min(h, (ty + 1) * kTileH);
  for (int y = ty * kTileH; y < y1; ++y)
    for (int x = std::max(0, tx * kTileW - 1); x < x1; ++x)
      if (!hides_pixel(l, x, y)) return false;
  return true;
}

// Expected bottom-to-top layer list of tile (tx, ty), pixel by pixel.
std::vector<int> reference_stack(int w, int h, const std::vector<TileLayer>& layers, int tx, int ty) {
  std::vector<int> stack;
  const int x1 = std::min(w, (tx + 1) * kTileW), y1 = std::min(h, (ty + 1) * kTileH);
  for (int n = 0; n < int(layers.size()); ++n) {
    bool any = false, all_hidden = true;
    for (int y = ty * kTileH; y < y1; ++y) {
      for (int x = tx * kTileW; x < x1; ++x) any |= touches(layers[size_t(n)], x, y);
      for (int x = std::max(0, tx * kTileW - 1); x < x1; ++x) all_hidden &= hides_pixel(layers[size_t(n)], x, y);
    }
    if (!any) continue;
    if (all_hidden) stack.clear();
    stack.push_back(n);
  }
  return stack;
}

void check_against_reference(int w, int h, const std::vector<TileLayer>& layers) {
  const auto groups = group_tiles(w, h, layers);
  const int nx = (w + kTileW - 1) / kTileW, ny = (h + kTileH - 1) / kTileH;
  std::vector<int> seen(size_t(nx) * size_t(ny), 0);
  std::set<std::vector<int>> distinct;
  int mismatches = 0, covered_wrong = 0;
  for (const TileGroup& g : groups) {
    distinct.insert(g.layers);
    bool covered = !g.layers.empty();
    for (uint32_t t : g.tiles)
      covered = covered && hides_tile(w, h, layers[size_t(g.layers.front())], int(t & 0xffff), int(t >> 16));
    covered_wrong += g.covered != covered;
    for (uint32_t t : g.tiles) {
      const int tx = int(t & 0xffff), ty = int(t >> 16);
      REQUIRE(tx < nx);
      REQUIRE(ty < ny);
      ++seen[size_t(ty) * size_t(nx) + size_t(tx)];
      mismatches += g.layers != reference_stack(w, h, layers, tx, ty);
    }
  }
  CHECK(mismatches == 0);
  CHECK(covered_wrong == 0);  // the bottom layer covers every tile of the group opaquely
  CHECK(std::all_of(seen.begin(), seen.end(), [](int n) { return n == 1; }));  // each tile once
  CHECK(distinct.size() == groups.size());  // one group per distinct stack
  const auto again = group_tiles(w, h, layers);  // deterministic
  REQUIRE(again.size() == groups.size());
  for (size_t i = 0; i < groups.size(); ++i) {
    CHECK(again[i].layers == groups[i].layers);
    CHECK(again[i].tiles == groups[i].tiles);
  }
}

TileLayer rect(float x0, float y0, float x1, float y1) { return {{x0, y0, x1, y1}, {0, 0, 0, 0}}; }

}  // namespace

TEST_CASE("tiling: no layers is one empty group of every tile") {
  const auto groups = group_tiles(300, 40, {});
  REQUIRE(groups.size() == 1);
  CHECK(groups[0].layers.empty());
  CHECK(groups[0].tiles.size() == 3 * 3);  // ceil(300/128) x ceil(40/16)
}

TEST_CASE("tiling: a layer reaches one pixel past its bounds into the next tile") {
  // Bounds end exactly at the tile edge x = 128: the antialiased edge pixel 128 is in tile 1.
  const auto groups = group_tiles(256, 16, {rect(10, 2, 128, 10)});
  REQUIRE(groups.size() == 1);
  CHECK(groups[0].layers == std::vector<int>{0});
  CHECK(groups[0].tiles.size() == 2);
  // Ending at 126.5 -> ceil 127, + 1 = 128 (exclusive): tile 1 untouched.
  const auto g2 = group_tiles(256, 16, {rect(10, 2, 126.5f, 10)});
  REQUIRE(g2.size() == 2);
  check_against_reference(256, 16, {rect(10, 2, 126.5f, 10)});
}

TEST_CASE("tiling: an opaque layer covering a tile hides the layers below it there") {
  TileLayer below = rect(0, 0, 256, 32);
  TileLayer cover = rect(0, 0, 128, 16);
  cover.opaque = {0, 0, 128, 16};  // exactly tile (0, 0)
  const std::vector<TileLayer> layers{below, cover};
  const auto groups = group_tiles(256, 32, layers);
  for (const auto& g : groups)
    for (uint32_t t : g.tiles)
      if (t == 0) CHECK(g.layers == std::vector<int>{1});
  check_against_reference(256, 32, layers);
}

TEST_CASE("tiling: partial edge tiles are hidden by an opaque layer covering the canvas part") {
  TileLayer below = rect(0, 0, 200, 20);
  TileLayer cover = rect(0, 0, 200, 20);
  cover.opaque = {0, 0, 200, 20};  // the whole 200x20 canvas: edge tiles are clipped to it
  const auto groups = group_tiles(200, 20, {below, cover});
  REQUIRE(groups.size() == 1);
  CHECK(groups[0].layers == std::vector<int>{1});
  CHECK(groups[0].covered);
  const auto partly = group_tiles(200, 20, {rect(0, 0, 200, 20), TileLayer{{0, 0, 200, 20}, {0, 0, 199.5f, 20}}});
  REQUIRE(partly.size() == 2);  // the right tile keeps the layer below (the last column is not hidden)
  for (const auto& g : partly) CHECK(g.covered == (g.layers.size() == 1));
}

TEST_CASE("tiling: random stacks match the per-pixel reference") {
  std::mt19937 rng(1234);
  std::uniform_real_distribution<float> u(0, 1);
  const int sizes[][2] = {{392, 134}, {130, 18}, {256, 32}, {1, 1}, {640, 70}};
  for (const auto& sz : sizes) {
    const int w = sz[0], h = sz[1];
    for (int trial = 0; trial < 6; ++trial) {
      std::vector<TileLayer> layers;
      const int n = 1 + int(u(rng) * 12);
      for (int k = 0; k < n; ++k) {
        const float x0 = (u(rng) * 1.4f - 0.2f) * w, y0 = (u(rng) * 1.4f - 0.2f) * h;
        const float x1 = x0 + u(rng) * w, y1 = y0 + u(rng) * h;
        TileLayer l = rect(x0, y0, x1, y1);
        if (k % 4 == 3) l.bounds = {x1, y0, x0, y1};  // empty (x1 <= x0): never drawn
        if (k % 3 == 1) l.opaque = {x0 + 2, y0 + 1, x1 - 2, y1 - 1};
        if (k % 5 == 2) l.opaque = {std::floor(x0 / kTileW) * kTileW, 0, float(w) + 500, float(h) + 500};
        layers.push_back(l);
      }
      CAPTURE(w);
      CAPTURE(trial);
      check_against_reference(w, h, layers);
    }
  }
}
