// Text rasterization: UTF-8 string -> premultiplied RGBA8 image.
//
// Shaping is done with HarfBuzz (so ligatures, kerning, Arabic joining,
// Indic reordering, etc. are handled by the font), rasterization with
// FreeType (8-bit anti-aliased coverage, unhinted, subpixel-positioned so
// that text looks the same when animated/scaled as it does statically).
//
// Build: needs pkg-config modules `harfbuzz` and `freetype2`.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace reelforge {

struct TextStyle {
  std::string font_path;                          // TTF/OTF file
  double size_px = 48.0;                          // em size in pixels (> 0)
  std::array<uint8_t, 4> color{255, 255, 255, 255};  // straight (non-premultiplied) RGBA
  double line_spacing = 1.2;                      // multiple of size_px between '\n' baselines (> 0)
  std::string align = "left";                     // left|center|right, per line
};

struct TextImage {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;  // premultiplied RGBA8, row-major, stride width*4
  double baseline_y = 0;        // y of first line's baseline in pixels from the image top
};

// Renders `utf8` (lines separated by '\n'; a "\r\n" ending is accepted) with
// `style`. The image covers the union of the nominal line boxes (font
// ascender/descender, line advances) and the actual ink of every glyph, plus a
// 2 px transparent border, so nothing is clipped. The first line's pen origin
// is at x = 2 px (plus any negative left bearing), y = baseline_y.
//
// Each line is split into bidi/script runs (FriBidi, the full Unicode Bidi
// Algorithm) and every run is shaped separately, so mixed text such as
// "Hello مرحبا 你好" gets correct per-run direction/script. One style for the
// whole text; rich_text.h has spans, wrapping, outline, shadow and box.
//
// Throws:
//   std::invalid_argument  empty text ("text is empty"), invalid UTF-8, or a
//                          bad style value (size/line_spacing/align) or a
//                          result larger than 16384 px in either dimension.
//   std::runtime_error     the font cannot be opened/parsed/sized; the message
//                          contains the font path and FreeType's error.
TextImage render_text(const std::string& utf8, const TextStyle& style);

}  // namespace reelforge
