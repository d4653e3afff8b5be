// Splits the canvas into tiles (one compute workgroup of composite.comp each) and groups them by
// the layers that can touch them, bottom to top, so that each group is composited in one pass
// over just its own layers, without an intermediate frame in memory. Pure CPU logic, per frame.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

namespace reelforge {

constexpr int kTileW = 128, kTileH = 16;  // composite.comp: 8x8 invocations of 16x2 pixel blocks

// What tiling needs to know of one drawn layer, in canvas pixels.
struct TileLayer {
  std::array<float, 4> bounds{};  // bounding box of the visible area: x0, y0, x1, y1
  // Where the layer alone decides the result (opaque source, full opacity, normal blend,
  // axis-aligned, full coverage): every layer below is hidden there. Empty (x1 <= x0) if none.
  std::array<float, 4> opaque{};
};

struct TileGroup {
  std::vector<int> layers;       // indices into the frame's layer list, bottom to top
  std::vector<uint32_t> tiles;   // tile x | tile y << 16
  // The bottom layer covers every tile of the group (and the column left of each) opaquely:
  // its coverage is 1 there and nothing shows through it (composite.comp's covering flag).
  bool covered = false;
};

// Groups the tiles of a width x height canvas. A layer belongs to a tile when its bounds, grown by
// one pixel for antialiased edges, overlap it, unless a layer above covers the tile and the
// column left of it opaquely (composite.comp computes that column too, for left-sited chroma).
// Every tile is in exactly one group (tiles no layer touches: a group with no layers). Groups come
// in a deterministic order.
std::vector<TileGroup> group_tiles(int width, int height, const std::vector<TileLayer>& layers);

}  // namespace reelforge
