// Generated layers: a layer whose premultiplied RGBA8 picture is produced per frame on the CPU,
// in the decode stage (FrameFeeder), and uploaded by the compositor (GeneratedPass) only when it
// changed. Shapes (cairo), SVG (librsvg), subtitles and waveforms are generators.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "timeline/timeline.h"

namespace reelforge {

// What a generator is asked for at one frame.
struct GenerateRequest {
  int64_t frame = 0;              // timeline frame index, in [layer.start_frame, layer.end_frame)
  int64_t local = 0;              // frame - layer.start_frame: index into the layer's own tables
  float width = 0, height = 0;    // the layer's local rectangle [0, width] x [0, height] at this frame
  int pixel_width = 1, pixel_height = 1;  // its displayed size on the canvas in pixels (capped): the
                                          // resolution that keeps edges crisp when the layer is scaled
  // For generators whose covers_rect() is true: the local rectangle (x0, y0, x1, y1) the picture
  // must cover, pixel_width x pixel_height. An axis-aligned layer's box grown to whole canvas
  // pixels (so each texel lands on one pixel: no resampling blur), else [0, width] x [0, height].
  std::array<float, 4> rect{0, 0, 0, 0};
};

class ImageGenerator {
 public:
  virtual ~ImageGenerator() = default;
  // The picture covering the layer's local rectangle (any resolution: the compositor stretches it
  // over the rectangle; req.pixel_width x req.pixel_height is the one that samples 1:1).
  // nullptr draws nothing this frame. Contract:
  //  - thread-safe: a Renderer and an Export may share a Timeline, so `at` runs concurrently;
  //  - a pure function of `req` (any frame range may be rendered alone, in any order);
  //  - an unchanged picture is returned as the same pointer: the compositor re-uploads a layer's
  //    picture only when the pointer changes.
  virtual std::shared_ptr<const RgbaImage> at(const GenerateRequest& req) const = 0;
  // False (default): the picture covers the layer's box [0, width] x [0, height]. True: it covers
  // req.rect, which the decode stage aligns to the canvas pixel grid (vector content: shapes, SVG).
  virtual bool covers_rect() const { return false; }
};

// A generator that keeps its last few pictures, keyed by the values that determine them (the
// frame's parameters and raster size), so static content is rasterised once and animated content
// once per distinct look. Rasterising runs outside the lock: concurrent callers do not wait for
// each other (two may rasterise the same key; one result is kept).
class CachedGenerator : public ImageGenerator {
 public:
  std::shared_ptr<const RgbaImage> at(const GenerateRequest& req) const final;
  size_t renders() const;  // how many pictures render() produced (tests)

 protected:
  explicit CachedGenerator(size_t capacity = 4) : capacity_(capacity) {}
  // Everything the picture for `req` depends on (never the frame index itself unless it matters).
  virtual std::vector<float> key(const GenerateRequest& req) const = 0;
  virtual std::shared_ptr<const RgbaImage> render(const GenerateRequest& req) const = 0;

 private:
  size_t capacity_;
  mutable std::mutex mutex_;
  mutable std::list<std::pair<std::vector<float>, std::shared_ptr<const RgbaImage>>> cache_;  // most recent first
  mutable size_t renders_ = 0;
};

// Pictures from a list, one index per frame of the layer (or one for all): the simplest
// generator (numpy frame sequences, tests of the upload path). Equal indices give one pointer.
class SequenceGenerator : public ImageGenerator {
 public:
  // Throws InputError for an empty list, an empty picture or an index outside the list.
  SequenceGenerator(std::vector<std::shared_ptr<const RgbaImage>> images, std::vector<int32_t> index);
  std::shared_ptr<const RgbaImage> at(const GenerateRequest& req) const override;

 private:
  std::vector<std::shared_ptr<const RgbaImage>> images_;
  std::vector<int32_t> index_;
};

// The raster size for a local rectangle of w x h units drawn at sx, sy canvas pixels per unit:
// rounded up, at least 1, each side at most kMaxGeneratedSide and the area at most
// kMaxGeneratedPixels (scaled down uniformly), so a huge zoom costs bounded memory.
constexpr int kMaxGeneratedSide = 8192;
constexpr int64_t kMaxGeneratedPixels = int64_t(4096) * 4096;
std::pair<int, int> generated_pixel_size(double w, double h, double sx, double sy);

}  // namespace reelforge
