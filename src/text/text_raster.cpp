// render_text: the single-style entry point, on top of render_rich_text (rich_text.h).
#include "text_raster.h"

#include <stdexcept>

#include "text/rich_text.h"

namespace reelforge {

TextImage render_text(const std::string& utf8, const TextStyle& style) {
  if (utf8.empty()) throw std::invalid_argument("text is empty");
  ParagraphStyle ps;
  if (style.align == "left") ps.align = TextAlign::Left;
  else if (style.align == "center") ps.align = TextAlign::Center;
  else if (style.align == "right") ps.align = TextAlign::Right;
  else throw std::invalid_argument("render_text: align must be left|center|right, got '" + style.align + "'");
  ps.line_height = style.line_spacing;
  TextSpan span{utf8, style.font_path, style.size_px, style.color, false};
  RichTextImage r = render_rich_text({span}, ps);
  TextImage img;
  img.width = r.width;
  img.height = r.height;
  img.pixels = std::move(r.pixels);
  img.baseline_y = r.baseline_y;
  return img;
}

}  // namespace reelforge
