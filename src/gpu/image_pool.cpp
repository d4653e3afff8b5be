#include "gpu/image_pool.h"

namespace reelforge {

Image make_image(const VkContext& ctx, const ImageKey& key) {
  if (key.linear && key.levels == 1) return make_linear_image(ctx, key.width, key.height, key.format, key.usage, 16);
  return make_image(ctx, key.width, key.height, key.format, key.usage, key.levels);
}

Image& ImagePool::acquire(const VkContext& ctx, const ImageKey& key) {
  Entry& e = entries_[key];
  if (e.taken == e.images.size())
    e.images.push_back(std::make_unique<Image>(make_image(ctx, key)));
  return *e.images[e.taken++];
}

void ImagePool::begin_frame() {
  for (auto it = entries_.begin(); it != entries_.end();) {
    Entry& e = it->second;
    e.idle = e.taken ? 0 : e.idle + 1;
    e.taken = 0;
    it = e.idle > kIdleFrames ? entries_.erase(it) : std::next(it);
  }
}

}  // namespace reelforge
