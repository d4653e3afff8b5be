// Converted video frames shared by a compositor's slots: a decoded frame shown by several
// consecutive output frames (a 24 fps clip in a 30 fps scene, a held last frame, slow motion) is
// uploaded and converted once. An image is rewritten only when no frame in flight samples it, and
// freed once idle (slot_uses.h: the rule shared with StaticImages).
#pragma once
#include <compare>
#include <cstdint>
#include <memory>
#include <vector>

#include "gpu/image_pool.h"
#include "gpu/slot_uses.h"

struct AVFrame;

namespace reelforge {

struct LayerSource;

// What a converted image depends on: the layer (file, alpha, size), the decoded picture (its
// buffer and timestamp: a decoder reuses buffers, never with the same timestamp for another
// picture of the same stream) and how it was converted (reduction, mip levels).
struct ConvertKey {
  const LayerSource* source = nullptr;
  const uint8_t* data = nullptr;
  int64_t timestamp = 0;
  int div = 1;
  uint32_t levels = 1;
  auto operator<=>(const ConvertKey&) const = default;
};

// The key of `frame` for layer `source`; false when the frame has no timestamp (never cached).
bool convert_key(const LayerSource& source, const AVFrame& frame, int div, uint32_t levels, ConvertKey& key);

class ConvertCache {
 public:
  explicit ConvertCache(int slots);
  // A use of the cache by the frame recorded in `slot`: a new serial ends that slot's old uses.
  void begin(size_t slot, uint64_t serial);
  // The image already holding `key` (now also in use by `slot`), or nullptr.
  const Image* find(const ConvertKey& key, size_t slot);
  // The conversions `slot`'s frame recorded were submitted.
  void commit(size_t slot);
  // An image for `key` to be converted into, in use by `slot`: the least recently used one of
  // that kind that no frame in flight samples, or a new one.
  Image& insert(const VkContext& ctx, const ConvertKey& key, const ImageKey& kind, size_t slot);
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    ConvertKey key;
    ImageKey kind;
    std::unique_ptr<Image> image;
    SlotUses::Uses uses;  // the frames that sample it
    int pending = -1;     // the slot whose frame, not submitted yet, converts it
  };
  std::vector<Entry> entries_;
  SlotUses uses_;
};

}  // namespace reelforge
