// SVG files as generated layers: parsed once by librsvg, re-rasterised at the displayed size
// (cached per size), so edges stay crisp when the layer is scaled up.
#pragma once
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "generated/image_generator.h"

namespace reelforge {

// The document's intrinsic size in pixels (width/height attributes at 96 dpi, else its viewBox).
// Throws MediaError naming the file if librsvg cannot read it or it has no size.
std::pair<double, double> svg_size(const std::string& path);

struct SvgDoc;  // the parsed document (librsvg handle)

class SvgGenerator : public CachedGenerator {
 public:
  explicit SvgGenerator(const std::string& path);  // MediaError naming the file
  ~SvgGenerator() override;
  bool covers_rect() const override { return true; }

 protected:
  std::vector<float> key(const GenerateRequest& req) const override;
  std::shared_ptr<const RgbaImage> render(const GenerateRequest& req) const override;

 private:
  std::unique_ptr<SvgDoc> doc_;
  std::string path_;
  double width_ = 0, height_ = 0;
  mutable std::mutex render_mutex_;  // an RsvgHandle is not safe to render from two threads at once
};

}  // namespace reelforge
