#include "gpu/tiling.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace reelforge {

std::vector<TileGroup> group_tiles(int width, int height, const std::vector<TileLayer>& layers) {
  const int nx = (width + kTileW - 1) / kTileW, ny = (height + kTileH - 1) / kTileH;
  std::vector<std::vector<int>> stacks(size_t(nx) * size_t(ny));
  // The tile's pixels (clipped to the canvas) inside the opaque rectangle `o`: pixel centres at
  // least half a pixel inside it have full coverage, and whatever lies below is hidden. Counted
  // from the column left of the tile, which composite.comp also computes (chroma).
  auto covers = [&](const std::array<float, 4>& o, int tx, int ty) {
    const float px0 = float(std::max(0, tx * kTileW - 1)), py0 = float(ty * kTileH);
    const float px1 = float(std::min(width, (tx + 1) * kTileW)), py1 = float(std::min(height, (ty + 1) * kTileH));
    return o[2] > o[0] && px0 >= o[0] && py0 >= o[1] && px1 <= o[2] && py1 <= o[3];
  };
  for (int n = 0; n < int(layers.size()); ++n) {
    const auto& b = layers[size_t(n)].bounds;
    if (!(b[2] > b[0] && b[3] > b[1])) continue;
    // Tiles overlapping [floor(x0) - 1, ceil(x1) + 1) x [floor(y0) - 1, ceil(y1) + 1) within the canvas.
    const double x0 = std::max(0.0, std::floor(double(b[0])) - 1), x1 = std::min(double(width), std::ceil(double(b[2])) + 1);
    const double y0 = std::max(0.0, std::floor(double(b[1])) - 1), y1 = std::min(double(height), std::ceil(double(b[3])) + 1);
    if (x1 <= x0 || y1 <= y0) continue;
    const int tx0 = int(x0) / kTileW, tx1 = (int(x1) - 1) / kTileW, ty0 = int(y0) / kTileH, ty1 = (int(y1) - 1) / kTileH;
    const auto& o = layers[size_t(n)].opaque;
    for (int ty = ty0; ty <= ty1; ++ty)
      for (int tx = tx0; tx <= tx1; ++tx) {
        auto& s = stacks[size_t(ty) * size_t(nx) + size_t(tx)];
        if (covers(o, tx, ty)) s.clear();
        s.push_back(n);
      }
  }
  std::map<std::vector<int>, size_t> index;
  std::vector<TileGroup> groups;
  for (int ty = 0; ty < ny; ++ty)
    for (int tx = 0; tx < nx; ++tx) {
      auto& s = stacks[size_t(ty) * size_t(nx) + size_t(tx)];
      auto [it, fresh] = index.emplace(s, groups.size());
      if (fresh) groups.push_back({s, {}, !s.empty()});
      TileGroup& g = groups[it->second];
      g.tiles.push_back(uint32_t(tx) | (uint32_t(ty) << 16));
      g.covered = g.covered && covers(layers[size_t(s.front())].opaque, tx, ty);
    }
  return groups;
}

}  // namespace reelforge
