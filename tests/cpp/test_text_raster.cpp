// Text rasterisation (src/text/text_raster.h): HarfBuzz shaping + FreeType coverage into
// premultiplied RGBA. Font: $REELFORGE_FONT, else $REELFORGE_MEDIA/font.ttf, else fontconfig's sans
// (install.sh installs fonts-dejavu-core); the cases are skipped with a message if none is found.
// Set REELFORGE_TEXT_DUMP=<prefix> to write <prefix>_alpha.pgm for a look at the glyphs.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <sys/stat.h>

#include "text/text_raster.h"

using reelforge::render_text;
using reelforge::TextImage;
using reelforge::TextStyle;

namespace {

bool exists(const std::string& p) {
  struct stat st{};
  return !p.empty() && stat(p.c_str(), &st) == 0;
}

std::string find_font() {
  if (const char* f = std::getenv("REELFORGE_FONT"); f && exists(f)) return f;
  if (const char* m = std::getenv("REELFORGE_MEDIA"); m && exists(std::string(m) + "/font.ttf"))
    return std::string(m) + "/font.ttf";
  std::string path;
  if (FILE* p = popen("fc-match -f '%{file}' sans 2>/dev/null", "r")) {
    char buf[4096];
    while (size_t n = fread(buf, 1, sizeof buf, p)) path.append(buf, n);
    pclose(p);
  }
  return exists(path) ? path : std::string();
}

TextStyle base_style() {
  TextStyle st;
  st.font_path = find_font();
  st.size_px = 48;
  st.color = {255, 160, 40, 255};
  return st;
}

#define REQUIRE_FONT(st)                                                          \
  if ((st).font_path.empty()) {                                                   \
    MESSAGE("skipped: no font (set REELFORGE_FONT or install fonts-dejavu-core)"); \
    return;                                                                       \
  }

void write_pgm_alpha(const TextImage& img, const std::string& path) {
  std::ofstream f(path, std::ios::binary);
  f << "P5\n" << img.width << " " << img.height << "\n255\n";
  for (size_t i = 0; i < img.pixels.size(); i += 4) f.put(static_cast<char>(img.pixels[i + 3]));
}

}  // namespace

namespace {

struct Stats {
  int max_alpha = 0;
  long opaque = 0, inked = 0;
  bool premul_ok = true;
  double ink_cx = 0;  // alpha-weighted x centroid
};
Stats stats(const TextImage& img, int y0 = 0, int y1 = -1) {
  Stats s;
  if (y1 < 0) y1 = img.height;
  double wsum = 0;
  for (int y = y0; y < y1; ++y)
    for (int x = 0; x < img.width; ++x) {
      const uint8_t* p = &img.pixels[(static_cast<size_t>(y) * img.width + x) * 4];
      if (p[0] > p[3] || p[1] > p[3] || p[2] > p[3]) s.premul_ok = false;
      s.max_alpha = std::max<int>(s.max_alpha, p[3]);
      if (p[3] == 255) ++s.opaque;
      if (p[3]) ++s.inked;
      s.ink_cx += static_cast<double>(x) * p[3];
      wsum += p[3];
    }
  if (wsum > 0) s.ink_cx /= wsum;
  return s;
}

}  // namespace

TEST_CASE("text: mixed-script line is inked, premultiplied, unclipped, baseline inside") {
  const TextStyle st = base_style();
  REQUIRE_FONT(st);
  const TextImage img = render_text("Hello, \u043c\u0438\u0440! \u0645\u0631\u062d\u0628\u0627 \u4f60\u597d", st);
  const Stats s = stats(img);
  REQUIRE(img.width > 0);
  REQUIRE(img.height > 0);
  CHECK(img.pixels.size() == static_cast<size_t>(img.width) * img.height * 4);
  CHECK(s.inked > 0);
  CHECK(s.opaque > 0);
  CHECK(s.premul_ok);
  CHECK(img.baseline_y > 0);
  CHECK(img.baseline_y < img.height);
  // The 1-px border is empty: no glyph is clipped at an edge.
  bool border_clear = true;
  for (int x = 0; x < img.width; ++x)
    border_clear &= img.pixels[size_t(x) * 4 + 3] == 0 &&
                    img.pixels[(static_cast<size_t>(img.height - 1) * img.width + x) * 4 + 3] == 0;
  for (int y = 0; y < img.height; ++y)
    border_clear &= img.pixels[(static_cast<size_t>(y) * img.width) * 4 + 3] == 0 &&
                    img.pixels[(static_cast<size_t>(y) * img.width + img.width - 1) * 4 + 3] == 0;
  CHECK(border_clear);
  if (const char* dump = std::getenv("REELFORGE_TEXT_DUMP")) write_pgm_alpha(img, std::string(dump) + "_alpha.pgm");
}

TEST_CASE("text: bad input raises with the cause named") {
  const TextStyle st = base_style();
  REQUIRE_FONT(st);
  CHECK_THROWS_WITH_AS(render_text("", st), doctest::Contains("text is empty"), std::invalid_argument);
  TextStyle missing = st;
  missing.font_path = "/nonexistent/dir/nope.ttf";
  CHECK_THROWS_WITH_AS(render_text("hi", missing), doctest::Contains("/nonexistent/dir/nope.ttf"), std::runtime_error);
  TextStyle notfont = st;
  notfont.font_path = "/etc/hostname";
  if (exists("/etc/hostname"))
    CHECK_THROWS_WITH_AS(render_text("hi", notfont), doctest::Contains("/etc/hostname"), std::runtime_error);
  CHECK_THROWS_AS(render_text("bad \xC3\x28", st), std::invalid_argument);  // invalid UTF-8
  CHECK_THROWS_AS(render_text("\xED\xA0\x80", st), std::invalid_argument);  // surrogate
  CHECK_THROWS_AS(render_text("\xC0\xAF", st), std::invalid_argument);      // overlong
  CHECK_THROWS_AS(render_text("\xF0\x9F\x98", st), std::invalid_argument);  // truncated
  TextStyle bad_align = st;
  bad_align.align = "justify";
  CHECK_THROWS_AS(render_text("hi", bad_align), std::invalid_argument);
}

TEST_CASE("text: multi-line alignment centres and right-aligns the short line") {
  TextStyle ml = base_style();
  REQUIRE_FONT(ml);
  ml.align = "center";
  const TextImage one = render_text("IIIIIIIIII", ml);
  const TextImage two = render_text("I\nIIIIIIIIII", ml);
  CHECK(two.width == one.width);
  CHECK(std::abs((two.height - one.height) - ml.size_px * ml.line_spacing) <= 1.5);
  // Below line 1's descenders (~0.21 em) but above line 2's cap height.
  const int split = static_cast<int>(two.baseline_y + ml.size_px * 0.3);
  const Stats top_c = stats(two, 0, split), bot_c = stats(two, split);
  CHECK(std::abs(top_c.ink_cx - bot_c.ink_cx) < 1.0);
  ml.align = "right";
  const TextImage right = render_text("I\nIIIIIIIIII", ml);
  CHECK(stats(right, 0, split).ink_cx > right.width * 0.8);
}

TEST_CASE("text: a translucent colour stays premultiplied, hue exact") {
  TextStyle tr = base_style();
  REQUIRE_FONT(tr);
  tr.color = {255, 0, 0, 128};
  const TextImage red = render_text("Ag", tr);
  const Stats rs = stats(red);
  CHECK(rs.max_alpha == 128);
  CHECK(rs.premul_ok);
  bool red_only = true;
  for (size_t i = 0; i < red.pixels.size(); i += 4)
    red_only &= red.pixels[i] == red.pixels[i + 3] && red.pixels[i + 1] == 0 && red.pixels[i + 2] == 0;
  CHECK(red_only);
}

TEST_CASE("text: whitespace-only text is valid and transparent") {
  const TextStyle st = base_style();
  REQUIRE_FONT(st);
  const TextImage blank = render_text(" \n", st);
  CHECK(blank.width > 0);
  CHECK(blank.height > 0);
  CHECK(stats(blank).inked == 0);
}
