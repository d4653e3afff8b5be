// Images a slot's passes render into and sample within one frame (converted video frames,
// intermediate results), reused from frame to frame: memory follows the most images a frame has
// needed at once, not the number of clips. Images idle for a while are freed.
#pragma once
#include <compare>
#include <map>
#include <memory>
#include <vector>

#include "gpu/vk_resources.h"

namespace reelforge {

struct ImageKey {
  int width = 0, height = 0;
  VkFormat format = VK_FORMAT_R8G8B8A8_UNORM;
  uint32_t levels = 1;
  VkImageUsageFlags usage = 0;
  auto operator<=>(const ImageKey&) const = default;
};

class ImagePool {
 public:
  // An image of that kind that no other pass holds this frame. Its contents are undefined (the
  // pass transitions it from VK_IMAGE_LAYOUT_UNDEFINED); it stays valid until the next begin_frame.
  Image& acquire(const VkContext& ctx, const ImageKey& key);
  // Starts a frame: every image is free again (the slot's previous frame has finished on the GPU).
  void begin_frame();

 private:
  static constexpr int kIdleFrames = 30;  // frames an unused kind of image is kept
  struct Entry {
    std::vector<std::unique_ptr<Image>> images;
    size_t taken = 0;
    int idle = 0;
  };
  std::map<ImageKey, Entry> entries_;
};

}  // namespace reelforge
