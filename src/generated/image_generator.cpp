#include "generated/image_generator.h"

#include <algorithm>
#include <cmath>

#include "util/errors.h"

namespace reelforge {

std::shared_ptr<const RgbaImage> CachedGenerator::at(const GenerateRequest& req) const {
  std::vector<float> k = key(req);
  {
    std::lock_guard lock(mutex_);
    for (auto it = cache_.begin(); it != cache_.end(); ++it)
      if (it->first == k) {
        cache_.splice(cache_.begin(), cache_, it);  // most recently used first
        return cache_.front().second;
      }
  }
  std::shared_ptr<const RgbaImage> img = render(req);
  std::lock_guard lock(mutex_);
  ++renders_;
  for (const auto& [key2, img2] : cache_)
    if (key2 == k) return img2;  // another thread rendered it meanwhile: keep one pointer
  cache_.emplace_front(std::move(k), img);
  if (cache_.size() > capacity_) cache_.pop_back();
  return img;
}

size_t CachedGenerator::renders() const {
  std::lock_guard lock(mutex_);
  return renders_;
}

SequenceGenerator::SequenceGenerator(std::vector<std::shared_ptr<const RgbaImage>> images, std::vector<int32_t> index)
    : images_(std::move(images)), index_(std::move(index)) {
  if (images_.empty()) throw InputError("SequenceGenerator: images is empty");
  for (size_t i = 0; i < images_.size(); ++i)
    if (!images_[i] || images_[i]->width < 1 || images_[i]->height < 1 ||
        images_[i]->pixels.size() != size_t(images_[i]->width) * images_[i]->height * 4)
      throw InputError("SequenceGenerator: image " + std::to_string(i) + " has no pixels");
  if (index_.empty()) throw InputError("SequenceGenerator: index is empty (one entry per frame, or one)");
  for (size_t i = 0; i < index_.size(); ++i)
    if (index_[i] < -1 || index_[i] >= int32_t(images_.size()))
      throw InputError("SequenceGenerator: index[" + std::to_string(i) + "] = " + std::to_string(index_[i]) +
                       " is outside 0.." + std::to_string(images_.size() - 1) + " (-1: nothing drawn)");
}

std::shared_ptr<const RgbaImage> SequenceGenerator::at(const GenerateRequest& req) const {
  const size_t k = index_.size() == 1 ? 0 : size_t(req.local);
  if (k >= index_.size()) return nullptr;
  const int32_t i = index_[k];
  return i < 0 ? nullptr : images_[size_t(i)];
}

std::pair<int, int> generated_pixel_size(double w, double h, double sx, double sy) {
  double pw = std::max(1.0, std::ceil(w * sx - 1e-3)), ph = std::max(1.0, std::ceil(h * sy - 1e-3));
  double f = std::min({1.0, kMaxGeneratedSide / pw, kMaxGeneratedSide / ph,
                       std::sqrt(double(kMaxGeneratedPixels) / (pw * ph))});
  if (!std::isfinite(f)) f = 1.0;
  return {std::clamp(int(std::ceil(pw * f - 1e-6)), 1, kMaxGeneratedSide),
          std::clamp(int(std::ceil(ph * f - 1e-6)), 1, kMaxGeneratedSide)};
}

}  // namespace reelforge
