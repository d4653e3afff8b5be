// Conversion pass: each video layer's decoded planes (uploaded through the slot's staging buffer)
// become a premultiplied RGBA8 texture (shaders/yuv_to_rgba.comp) in an image from the slot's
// pool, with a box-filtered mip chain when the layer is shown smaller than the converted size.
// Converted frames are kept across frames and slots (convert_cache.h): a decoded frame shown
// again is neither uploaded nor converted again. On CPU devices the shader writes one-level
// images in place through their buffer alias (ImageKey::linear), without the copy.
#pragma once
#include <vector>

#include "gpu/compute_program.h"
#include "gpu/convert_cache.h"
#include "gpu/per_frame_sets.h"
#include "gpu/pass.h"

namespace reelforge {

class ConvertPass : public Pass {
 public:
  ConvertPass(const VkContext& ctx, int slots);
  void record(Frame& f) override;
  // The conversions recorded into `slot`'s frame were submitted (Compositor::submit).
  void commit(size_t slot) { cache_.commit(slot); }
  uint64_t conversions() const { return conversions_; }  // video frames converted so far (tests: reuse)

 private:
  struct Upload;  // one video layer's staging layout and output image
  std::vector<Upload> plan(Frame& f, VkDeviceSize& staging_bytes, VkDeviceSize& converted_px);
  struct PerSlot;
  void upload(Frame& f, PerSlot& s, const std::vector<Upload>& videos);
  void dispatch(Frame& f, const PerSlot& s, const std::vector<Upload>& videos);
  void copy_to_images(Frame& f, const PerSlot& s, const std::vector<Upload>& videos);

  ComputeProgram program_;
  struct PerSlot {
    Buffer staging;    // host-visible: the frame's video planes (padded rows), read by the shader
    TexelView planes;  // staging as RGBA32UI texels (16 bytes each): what the shader reads through
    Buffer converted;  // the shader's RGBA8 output, copied into the images that have no alias
  };
  PerFrameSets<PerSlot> slots_;  // one set per use within a frame (nested draw lists)
  ConvertCache cache_;
  bool cpu_device_;  // one-level images written in place (ImageKey::linear)
  uint64_t conversions_ = 0;
};

}  // namespace reelforge
