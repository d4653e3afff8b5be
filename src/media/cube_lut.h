// Adobe / DaVinci Resolve .cube colour look-up tables (Adobe "Cube LUT Specification" 1.0):
// TITLE, LUT_1D_SIZE or LUT_3D_SIZE, DOMAIN_MIN/DOMAIN_MAX (and Resolve's LUT_1D/3D_INPUT_RANGE),
// then the table rows "r g b", red varying fastest.
#pragma once
#include <memory>
#include <string>

#include "timeline/effect.h"

namespace reelforge {

// MediaNotFound for a missing file; InputError "<path> line N: <what is wrong>" for bad content.
std::shared_ptr<const CubeLut> load_cube_lut(const std::string& path);
// The same from text; `path` only names the source in messages.
std::shared_ptr<const CubeLut> parse_cube_lut(const std::string& text, const std::string& path);

}  // namespace reelforge
