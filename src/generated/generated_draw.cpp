#include "generated/generated_draw.h"

#include "generated/image_generator.h"
#include "util/errors.h"

namespace reelforge {

std::shared_ptr<const RgbaImage> generate_picture(const Layer& l, int64_t i, const LayerPlacement& place) {
  GenerateRequest req;
  req.frame = i;
  req.local = i - l.start_frame;
  req.width = place.size[0];
  req.height = place.size[1];
  // Canvas pixels per local unit along each axis include scale (and are unchanged by rotation).
  std::tie(req.pixel_width, req.pixel_height) =
      generated_pixel_size(req.width, req.height, place.px_per_local[0], place.px_per_local[1]);
  std::shared_ptr<const RgbaImage> img = l.generator->at(req);
  if (img && (img->width < 1 || img->height < 1 || img->pixels.size() != size_t(img->width) * img->height * 4))
    throw InputError("layer '" + l.name + "': its generator returned a malformed picture at frame " +
                     std::to_string(i));
  return img;
}

}  // namespace reelforge
