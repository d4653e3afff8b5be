#include "gpu/convert_cache.h"

#include <algorithm>

#include "util/errors.h"

extern "C" {
#include <libavutil/frame.h>
}

namespace reelforge {

bool convert_key(const LayerSource& source, const AVFrame& frame, int div, uint32_t levels, ConvertKey& key) {
  const int64_t ts = frame.best_effort_timestamp != AV_NOPTS_VALUE ? frame.best_effort_timestamp : frame.pts;
  if (ts == AV_NOPTS_VALUE || !frame.data[0]) return false;
  key = {&source, frame.data[0], ts, div, levels};
  return true;
}

ConvertCache::ConvertCache(int slots) : serials_(size_t(slots), ~uint64_t(0)) {
  if (slots < 1 || slots > 32) throw Error("ConvertCache: 1..32 slots");
}

void ConvertCache::begin(size_t slot, uint64_t serial) {
  if (serials_.at(slot) == serial) return;  // another draw list of the same frame
  serials_[slot] = serial;
  ++clock_;
  const uint32_t bit = 1u << slot;
  for (Entry& e : entries_) {
    e.users &= ~bit;
    if (e.pending == int(slot)) e.key = {}, e.pending = -1;  // that frame was never submitted
  }
  std::erase_if(entries_, [&](const Entry& e) { return !e.users && e.last_use + kIdleUses < clock_; });
}

const Image* ConvertCache::find(const ConvertKey& key, size_t slot) {
  for (Entry& e : entries_)
    if (e.key == key && (e.pending < 0 || e.pending == int(slot))) {
      e.users |= 1u << slot;
      e.last_use = clock_;
      return e.image.get();
    }
  return nullptr;
}

Image& ConvertCache::insert(const VkContext& ctx, const ConvertKey& key, const ImageKey& kind, size_t slot) {
  Entry* free = nullptr;
  for (Entry& e : entries_)
    if (!e.users && e.kind == kind && (!free || e.last_use < free->last_use)) free = &e;
  if (!free) {
    free = &entries_.emplace_back();
    free->kind = kind;
    free->image = std::make_unique<Image>(make_image(ctx, kind.width, kind.height, kind.format, kind.usage, kind.levels));
  }
  free->key = key;
  free->users = 1u << slot;
  free->last_use = clock_;
  free->pending = int(slot);
  return *free->image;
}

void ConvertCache::commit(size_t slot) {
  for (Entry& e : entries_)
    if (e.pending == int(slot)) e.pending = -1;
}

}  // namespace reelforge
