// Image layers' pixels, uploaded once per render with a full box-filtered mip chain (minification
// at any scale samples the matching level), plus a 1x1 transparent texture for unused bindings.
// Covers the image layers of nested timelines and masks too (LayerSource::children, ::mask).
#pragma once
#include <map>
#include <vector>

#include "gpu/layers.h"
#include "gpu/vk_resources.h"

namespace reelforge {

class StaticImages {
 public:
  StaticImages(VkContext& ctx, VkCommandPool pool, const std::vector<LayerSource>& sources);
  const Image& image(const LayerSource& src) const { return images_.at(src.image.get()).image; }  // Image layers only
  bool opaque(const LayerSource& src) const { return images_.at(src.image.get()).opaque; }  // every alpha 255
  const Image& dummy() const { return dummy_; }

 private:
  struct Entry {
    Image image;
    bool opaque = false;
  };
  Image dummy_;
  std::map<const RgbaImage*, Entry> images_;  // one upload per picture, however many layers show it
};

}  // namespace reelforge
