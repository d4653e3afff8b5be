// Image layers' pixels as textures, plus a 1x1 transparent texture for unused bindings. A picture
// is uploaded into the frame's command buffer the first time a frame draws it, and freed once no
// frame drew it for kIdleFrames frames and every frame that did has finished: GPU memory follows
// the images on screen (a film's captions: one or two at a time), not all of the timeline's.
// A picture drawn smaller than its resolution gets a full box-filtered mip chain (minification at
// any scale samples the matching level); one drawn at or above it a single level (no blits), and
// is uploaded again with the chain if a later draw shrinks it.
// Pictures are shared by the slots and by every layer (nested timelines, masks) showing them.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "gpu/frame_slot.h"
#include "gpu/layers.h"
#include "gpu/vk_resources.h"

namespace reelforge {

struct Frame;

class StaticImages {
 public:
  StaticImages(VkContext& ctx, VkCommandPool pool);
  // The texture of f.draws[n] (an image layer), uploaded into f.cmd on its first use; valid until
  // the frame finishes. Throws InputError for an image layer without pixels.
  const Image& image(Frame& f, size_t n);
  bool opaque(const LayerSource& src) const { return images_.at(src.image.get()).opaque; }  // every alpha 255
  const Image& dummy() const { return dummy_; }
  // Called once per frame after its slot's begin(): ages the pictures, frees the idle ones that
  // no frame in flight uses, and the staging buffers of finished uploads.
  void begin_frame(const std::vector<std::unique_ptr<FrameSlot>>& slots);
  uint64_t uploads() const { return uploads_; }  // pictures uploaded so far
  size_t resident() const { return images_.size(); }  // pictures on the GPU now

 private:
  static constexpr uint64_t kIdleFrames = 30;  // frames a picture stays after its last draw
  struct Entry {
    std::shared_ptr<const RgbaImage> picture;  // held: its address is the key
    Image image;
    bool opaque = false;
    uint64_t last_frame = 0;       // begin_frame() count when last drawn
    std::vector<uint64_t> drawn;   // per slot: serial of the last frame there that drew it (0: none)
    Buffer staging;                // the upload's source until that frame finished
    size_t staging_slot = 0;
    uint64_t staging_serial = 0;
  };
  void upload(Frame& f, Entry& e, const RgbaImage& img, uint32_t levels);
  bool finished(const Entry& e, const std::vector<std::unique_ptr<FrameSlot>>& slots) const;

  Image dummy_;
  std::map<const RgbaImage*, Entry> images_;  // one upload per picture, however many layers show it
  std::vector<Entry> retired_;                 // replaced by a mip-chained upload, freed when unused
  uint64_t frame_ = 0, uploads_ = 0;
};

}  // namespace reelforge
