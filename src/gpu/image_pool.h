// Images a slot's passes render into and sample within one frame (converted video frames,
// intermediate results), reused from frame to frame: memory follows the most images a frame has
// needed at once, not the number of clips. A kind unused for more than kIdleFrames of the slot's
// frames is freed (slot_uses.h; no frame in flight can use it: a slot's pool is its own).
#pragma once
#include <compare>
#include <map>
#include <memory>
#include <vector>

#include "gpu/slot_uses.h"
#include "gpu/vk_resources.h"

namespace reelforge {

struct ImageKey {
  int width = 0, height = 0;
  VkFormat format = VK_FORMAT_R8G8B8A8_UNORM;
  uint32_t levels = 1;
  VkImageUsageFlags usage = 0;
  // One level, linearly tiled, with a storage-buffer alias where the device allows (Image::alias,
  // rows a multiple of 16 texels): written by a shader in place, on CPU devices.
  bool linear = false;
  auto operator<=>(const ImageKey&) const = default;
};

// A new image of that kind.
Image make_image(const VkContext& ctx, const ImageKey& key);

class ImagePool {
 public:
  // An image of that kind that no other pass holds this frame. Its contents are undefined (the
  // pass transitions it from VK_IMAGE_LAYOUT_UNDEFINED); it stays valid until the next begin_frame.
  Image& acquire(const VkContext& ctx, const ImageKey& key);
  // Starts a frame: every image is free again (the slot's previous frame has finished on the GPU).
  void begin_frame();

 private:
  struct Entry {
    std::vector<std::unique_ptr<Image>> images;
    size_t taken = 0;
    uint64_t idle = 0;  // frames in a row that took none
  };
  std::map<ImageKey, Entry> entries_;
};

}  // namespace reelforge
