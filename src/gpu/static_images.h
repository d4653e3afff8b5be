// Image layers' pixels, uploaded once per render with a full box-filtered mip chain (minification
// at any scale samples the matching level), plus a 1x1 transparent texture for unused bindings.
#pragma once
#include <vector>

#include "gpu/layers.h"
#include "gpu/vk_resources.h"

namespace reelforge {

class StaticImages {
 public:
  StaticImages(VkContext& ctx, VkCommandPool pool, const std::vector<LayerSource>& sources);
  const Image& image(size_t layer) const { return images_.at(layer); }  // Image layers only
  bool opaque(size_t layer) const { return opaque_.at(layer); }         // every alpha 255
  const Image& dummy() const { return dummy_; }

 private:
  Image dummy_;
  std::vector<Image> images_;  // per layer (empty for non-image layers)
  std::vector<bool> opaque_;
};

}  // namespace reelforge
