// The decode stage's side of generated layers: asks a layer's generator for its picture at the
// size the layer is displayed at.
#pragma once
#include <memory>

#include "timeline/frame_state.h"
#include "timeline/timeline.h"

namespace reelforge {

// The picture of generated layer `l` (l.generator set) at frame `i`, placed as `place` says;
// nullptr: nothing to draw. For a generator that covers_rect(), `place` is rebased onto the
// pixel-aligned rectangle the picture covers. Throws InputError naming the layer for a malformed
// picture.
std::shared_ptr<const RgbaImage> generate_picture(const Layer& l, int64_t i, LayerPlacement& place);

}  // namespace reelforge
