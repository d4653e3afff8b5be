#include "gpu/convert_cache.h"

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

ConvertCache::ConvertCache(int slots) : uses_(slots) {}

void ConvertCache::begin(size_t slot, uint64_t serial) {
  if (!uses_.begin(slot, serial)) return;  // another draw list of the same frame
  for (Entry& e : entries_)
    if (e.pending == int(slot)) e.key = {}, e.pending = -1;  // that frame was never submitted
  std::erase_if(entries_, [&](const Entry& e) { return uses_.idle(e.uses); });
}

const Image* ConvertCache::find(const ConvertKey& key, size_t slot) {
  for (Entry& e : entries_)
    if (e.key == key && (e.pending < 0 || e.pending == int(slot))) {
      uses_.use(e.uses, slot);
      return e.image.get();
    }
  return nullptr;
}

Image& ConvertCache::insert(const VkContext& ctx, const ConvertKey& key, const ImageKey& kind, size_t slot) {
  Entry* free = nullptr;
  for (Entry& e : entries_)
    if (!uses_.in_use(e.uses) && e.kind == kind && (!free || e.uses.last_use() < free->uses.last_use())) free = &e;
  if (!free) {
    free = &entries_.emplace_back();
    free->kind = kind;
    free->image = std::make_unique<Image>(make_image(ctx, kind));
  }
  free->key = key;
  uses_.use(free->uses, slot);
  free->pending = int(slot);
  return *free->image;
}

void ConvertCache::commit(size_t slot) {
  for (Entry& e : entries_)
    if (e.pending == int(slot)) e.pending = -1;
}

}  // namespace reelforge
