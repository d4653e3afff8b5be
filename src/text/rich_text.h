// Styled paragraph text -> premultiplied RGBA8: rich spans, FriBidi bidi, libunibreak line
// breaking at a maximum width, alignment (incl. justify), letter spacing, line height, outline
// (FreeType stroker), drop shadow (Gaussian blur) and a rounded background box.
//
// Layout (rich_layout.cpp): the text is split into paragraphs at '\n'; each paragraph gets its
// embedding levels from FriBidi (UAX #9, base direction from the first strong character), its
// break opportunities from libunibreak (UAX #14), and is shaped run by run (level x script x
// span) with HarfBuzz. Lines are filled greedily up to `max_width` (trailing spaces don't count; a
// word longer than the line is broken between characters), reshaped, and their runs reordered
// visually (L1, L2). Painting (rich_paint.cpp): box, then shadow, then outline, then fill.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace reelforge {

using Rgba8 = std::array<uint8_t, 4>;  // straight (non-premultiplied) RGBA

struct TextSpan {
  std::string utf8;
  std::string font_path;          // TTF/OTF file
  double size_px = 48.0;          // em size in pixels, (0, 10000]
  Rgba8 color{255, 255, 255, 255};
  bool embolden = false;          // synthetic bold (FT_Outline_Embolden, size/24 px)
};

enum class TextAlign { Left, Center, Right, Justify };

struct ParagraphStyle {
  double max_width = 0;       // pixels; > 0 wraps lines at this width, 0: only at '\n'
  TextAlign align = TextAlign::Left;
  double line_height = 1.2;   // line box height as a multiple of the line's largest size_px
  double letter_spacing = 0;  // pixels added after every character (grapheme cluster)
  double stroke_width = 0;    // pixels of outline outside the glyph edge
  Rgba8 stroke_color{0, 0, 0, 255};
  double shadow_dx = 0, shadow_dy = 0;  // pixels (rounded to whole pixels)
  double shadow_blur = 0;               // CSS blur radius: Gaussian sigma = blur / 2
  Rgba8 shadow_color{0, 0, 0, 0};       // alpha 0: no shadow
  Rgba8 box_color{0, 0, 0, 0};          // alpha 0: no box
  double box_padding = 0;               // pixels around the text box
  double box_radius = 0;                // pixels, corner radius
  // What to paint (the image size and coordinates stay the same whatever is chosen, so the
  // pieces of one text, e.g. one image per word, line up): the box, and the glyphs of the
  // characters [glyph_begin, glyph_end) of the concatenated text (code point indices; -1: all).
  bool paint_box = true;
  bool paint_glyphs = true;
  int64_t glyph_begin = 0, glyph_end = -1;
};

struct ClusterBox {  // one shaped cluster: its characters and advance box, in image pixels
  int32_t first = 0, last = 0;  // code point indices [first, last) of the concatenated text
  int32_t line = 0;
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};

struct RichTextImage {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;  // premultiplied RGBA8, row-major, stride width * 4
  double baseline_y = 0;        // first line's baseline, pixels from the image top
  double text_x0 = 0, text_y0 = 0, text_x1 = 0, text_y1 = 0;  // text box (lines' ascender..descender)
  double box_x0 = 0, box_y0 = 0, box_x1 = 0, box_y1 = 0;      // text box grown by box_padding
  double ink_x0 = 0, ink_y0 = 0, ink_x1 = 0, ink_y1 = 0;      // text box united with the glyph ink, whole px
  int lines = 0;
  std::vector<ClusterBox> clusters;  // visual order within each line
};

// Throws std::invalid_argument for empty text, invalid UTF-8 or bad style values (the message
// names the field), std::runtime_error when a font cannot be opened or sized (names the path).
// The image has a 2 px transparent border around everything painted; at most 16384 px a side.
RichTextImage render_rich_text(const std::vector<TextSpan>& spans, const ParagraphStyle& style);

// Strict UTF-8 (RFC 3629) -> code points; std::invalid_argument naming the byte offset.
std::vector<uint32_t> decode_utf8_strict(const std::string& s);

}  // namespace reelforge
