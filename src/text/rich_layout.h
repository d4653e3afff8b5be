// Internal to src/text: the fonts of one render (FreeType faces + HarfBuzz fonts, RAII) and the
// laid-out glyphs that rich_paint.cpp rasterises. See rich_text.h for the algorithm.
#pragma once

#include <ft2build.h>
#include FT_FREETYPE_H
#include <hb.h>

#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "text/rich_text.h"

namespace reelforge::text_detail {

std::string ft_error_text(FT_Error err);

struct FtLibraryDeleter {
  void operator()(FT_Library p) const { FT_Done_FreeType(p); }
};
struct FtFaceDeleter {
  void operator()(FT_Face p) const { FT_Done_Face(p); }
};
struct HbFontDeleter {
  void operator()(hb_font_t* p) const { hb_font_destroy(p); }
};
using FtLibraryPtr = std::unique_ptr<std::remove_pointer_t<FT_Library>, FtLibraryDeleter>;
using FtFacePtr = std::unique_ptr<std::remove_pointer_t<FT_Face>, FtFaceDeleter>;
using HbFontPtr = std::unique_ptr<hb_font_t, HbFontDeleter>;

// One face per span (spans are few; a private FT_Library per render keeps threads apart).
struct SpanFont {
  FtFacePtr face;
  HbFontPtr hb;
  double size_px = 0, ascender = 0, descender = 0;  // pixels, both > 0
  bool embolden = false;
};

class FontSet {
 public:
  explicit FontSet(const std::vector<TextSpan>& spans);
  SpanFont& operator[](size_t span) { return fonts_[span]; }
  size_t size() const { return fonts_.size(); }

 private:
  FtLibraryPtr lib_;  // declared first: destroyed after the faces
  std::vector<SpanFont> fonts_;
};

struct LaidGlyph {
  uint32_t gid = 0;
  uint32_t span = 0;
  int32_t cluster = 0;  // code point index in the concatenated text
  int64_t x64 = 0, y64 = 0;  // pen position + offset, 26.6, y down, layout coordinates
};

struct Layout {
  std::vector<LaidGlyph> glyphs;
  std::vector<ClusterBox> clusters;  // layout coordinates (shifted into the image by paint)
  double text_x0 = 0, text_y0 = 0, text_x1 = 0, text_y1 = 0;
  double first_baseline = 0;
  int lines = 0;
};

// Shapes, breaks and positions `cps` (span index per code point in `span_of`).
Layout lay_out(const std::vector<uint32_t>& cps, const std::vector<uint32_t>& span_of, FontSet& fonts,
               const ParagraphStyle& style);

}  // namespace reelforge::text_detail
