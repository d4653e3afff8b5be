// Image layers' pixels as textures, plus a 1x1 transparent texture for unused bindings. A picture
// is uploaded into the frame's command buffer the first time a frame draws it, and freed once idle
// (slot_uses.h: not drawn for more than kIdleFrames frames, and no frame in flight draws it): GPU
// memory follows the images on screen (a film's captions: one or two at a time), not all of the
// timeline's.
// A picture drawn smaller than its resolution gets a full box-filtered mip chain (minification at
// any scale samples the matching level); one drawn at or above it a single level (no blits), and
// is uploaded again with the chain if a later draw shrinks it.
// Pictures are shared by the slots and by every layer (nested timelines, masks) showing them.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "gpu/layers.h"
#include "gpu/slot_uses.h"
#include "gpu/vk_resources.h"

namespace reelforge {

struct Frame;

class StaticImages {
 public:
  StaticImages(VkContext& ctx, VkCommandPool pool, int slots);
  // The texture of f.draws[n] (an image layer), uploaded into f.cmd on its first use; valid until
  // the frame finishes. Throws InputError for an image layer without pixels.
  const Image& image(Frame& f, size_t n);
  bool opaque(const LayerSource& src) const { return images_.at(src.image.get()).opaque; }  // every alpha 255
  const Image& dummy() const { return dummy_; }
  // Called once per frame after its slot's begin() (`serial`: FrameSlot::serial()): ends that
  // slot's previous frame's draws, frees the idle pictures and the staging buffers of finished uploads.
  void begin_frame(size_t slot, uint64_t serial);
  uint64_t uploads() const { return uploads_; }  // pictures uploaded so far
  size_t resident() const { return images_.size(); }  // pictures on the GPU now

 private:
  struct Entry {
    std::shared_ptr<const RgbaImage> picture;  // held: its address is the key
    Image image;
    bool opaque = false;
    SlotUses::Uses drawn;    // the frames that draw it (the one uploading it among them)
    Buffer staging;          // the upload's source until that frame finished
    SlotUses::Uses uploading;  // the frame that uploads it
  };
  void upload(Frame& f, Entry& e, const RgbaImage& img, uint32_t levels);

  Image dummy_;
  std::map<const RgbaImage*, Entry> images_;  // one upload per picture, however many layers show it
  std::vector<Entry> retired_;                 // replaced by a mip-chained upload, freed when unused
  SlotUses uses_;
  uint64_t uploads_ = 0;
};

}  // namespace reelforge
