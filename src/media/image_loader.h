// Still images (PNG, JPEG, WebP, ...) decoded once by FFmpeg into premultiplied RGBA8.
#pragma once
#include <string>

#include "timeline/timeline.h"

namespace reelforge {

// Throws MediaError naming the file if it cannot be read or has no picture.
RgbaImage load_image(const std::string& path);

// In place: straight RGBA8 -> premultiplied (c * a / 255, rounded).
void premultiply(RgbaImage& img);

}  // namespace reelforge
