// Standalone self-test for text_raster (not part of the library).
// Build: g++ -std=c++20 -O2 src/text/text_raster.cpp src/text/text_raster_selftest.cpp
//          $(pkg-config --cflags --libs harfbuzz freetype2) -o /tmp/text_selftest
// Usage: text_selftest [font.ttf] [out_prefix]
//   Writes <out_prefix>_alpha.pgm (alpha) and <out_prefix>_color.ppm (orange
//   text composited over dark grey) for visual inspection.
#include "text_raster.h"

#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>

using reelforge::render_text;
using reelforge::TextImage;
using reelforge::TextStyle;

static int g_failures = 0;
#define CHECK(cond)                                                   \
  do {                                                                \
    if (!(cond)) {                                                    \
      std::fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
      ++g_failures;                                                   \
    }                                                                 \
  } while (0)

template <class Ex, class F>
static bool throws(F&& f, const std::string& must_contain = {}) {
  try {
    f();
  } catch (const Ex& e) {
    std::printf("  threw as expected: %s\n", e.what());
    return must_contain.empty() || std::string(e.what()).find(must_contain) != std::string::npos;
  } catch (const std::exception& e) {
    std::printf("  threw WRONG type: %s\n", e.what());
    return false;
  }
  return false;
}

static void write_pgm_alpha(const TextImage& img, const std::string& path) {
  std::ofstream f(path, std::ios::binary);
  f << "P5\n" << img.width << " " << img.height << "\n255\n";
  for (size_t i = 0; i < img.pixels.size(); i += 4) f.put(static_cast<char>(img.pixels[i + 3]));
}

static void write_ppm_over_grey(const TextImage& img, const std::string& path) {
  std::ofstream f(path, std::ios::binary);
  f << "P6\n" << img.width << " " << img.height << "\n255\n";
  const unsigned bg = 40;
  for (size_t i = 0; i < img.pixels.size(); i += 4) {
    const unsigned a = img.pixels[i + 3];
    for (int c = 0; c < 3; ++c)  // premultiplied "over": src + dst * (1 - a)
      f.put(static_cast<char>(img.pixels[i + c] + (bg * (255 - a) + 127) / 255));
  }
}

struct Stats {
  int max_alpha = 0;
  long opaque = 0, inked = 0;
  bool premul_ok = true;
  double ink_cx = 0;  // alpha-weighted x centroid
};
static Stats stats(const TextImage& img, int y0 = 0, int y1 = -1) {
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

int main(int argc, char** argv) {
  const std::string font = argc > 1 ? argv[1] : "/work/shared/media/font.ttf";
  const std::string prefix = argc > 2 ? argv[2] : "/tmp/text_selftest";

  TextStyle st;
  st.font_path = font;
  st.size_px = 48;
  st.color = {255, 160, 40, 255};

  // 1. Mixed-script line.
  std::printf("[1] render mixed-script text with %s\n", font.c_str());
  const TextImage img = render_text("Hello, мир! مرحبا 你好", st);
  const Stats s = stats(img);
  std::printf("  %dx%d baseline_y=%.1f inked=%ld opaque=%ld max_alpha=%d\n", img.width, img.height,
              img.baseline_y, s.inked, s.opaque, s.max_alpha);
  CHECK(img.width > 0 && img.height > 0);
  CHECK(img.pixels.size() == static_cast<size_t>(img.width) * img.height * 4);
  CHECK(s.inked > 0);
  CHECK(s.opaque > 0);
  CHECK(s.premul_ok);
  CHECK(img.baseline_y > 0 && img.baseline_y < img.height);
  // Top/bottom/left/right 1-px border must be empty (no clipping at edges).
  {
    bool border_clear = true;
    for (int x = 0; x < img.width; ++x)
      border_clear &= img.pixels[x * 4 + 3] == 0 &&
                      img.pixels[(static_cast<size_t>(img.height - 1) * img.width + x) * 4 + 3] == 0;
    for (int y = 0; y < img.height; ++y)
      border_clear &= img.pixels[(static_cast<size_t>(y) * img.width) * 4 + 3] == 0 &&
                      img.pixels[(static_cast<size_t>(y) * img.width + img.width - 1) * 4 + 3] == 0;
    CHECK(border_clear);
  }
  write_pgm_alpha(img, prefix + "_alpha.pgm");
  write_ppm_over_grey(img, prefix + "_color.ppm");
  std::printf("  wrote %s_alpha.pgm and %s_color.ppm\n", prefix.c_str(), prefix.c_str());

  // 2. Errors.
  std::printf("[2] error cases\n");
  CHECK((throws<std::invalid_argument>([&] { render_text("", st); }, "text is empty")));
  TextStyle missing = st;
  missing.font_path = "/nonexistent/dir/nope.ttf";
  CHECK((throws<std::runtime_error>([&] { render_text("hi", missing); }, "/nonexistent/dir/nope.ttf")));
  TextStyle notfont = st;
  notfont.font_path = "/etc/hostname";
  CHECK((throws<std::runtime_error>([&] { render_text("hi", notfont); }, "/etc/hostname")));
  CHECK((throws<std::invalid_argument>([&] { render_text("bad \xC3\x28", st); })));
  CHECK((throws<std::invalid_argument>([&] { render_text("\xED\xA0\x80", st); })));  // surrogate
  CHECK((throws<std::invalid_argument>([&] { render_text("\xC0\xAF", st); })));      // overlong
  CHECK((throws<std::invalid_argument>([&] { render_text("\xF0\x9F\x98", st); })));  // truncated
  TextStyle bad_align = st;
  bad_align.align = "justify";
  CHECK((throws<std::invalid_argument>([&] { render_text("hi", bad_align); })));

  // 3. Multi-line + alignment: a short line centred over a long one.
  std::printf("[3] multi-line alignment\n");
  TextStyle ml = st;
  ml.align = "center";
  const TextImage one = render_text("IIIIIIIIII", ml);
  const TextImage two = render_text("I\nIIIIIIIIII", ml);
  std::printf("  one line %dx%d, two lines %dx%d\n", one.width, one.height, two.width, two.height);
  CHECK(two.width == one.width);
  CHECK(std::abs((two.height - one.height) - ml.size_px * ml.line_spacing) <= 1.5);
  // Below line 1's descenders (~0.21 em) but above line 2's cap height.
  const int split = static_cast<int>(two.baseline_y + ml.size_px * 0.3);
  const Stats top_c = stats(two, 0, split), bot_c = stats(two, split);
  std::printf("  center: short-line ink cx=%.2f long-line ink cx=%.2f\n", top_c.ink_cx, bot_c.ink_cx);
  CHECK(std::abs(top_c.ink_cx - bot_c.ink_cx) < 1.0);
  ml.align = "right";
  const TextImage right = render_text("I\nIIIIIIIIII", ml);
  const Stats top_r = stats(right, 0, split);
  std::printf("  right: short-line ink cx=%.2f (image width %d)\n", top_r.ink_cx, right.width);
  CHECK(top_r.ink_cx > right.width * 0.8);

  // 4. Colour with partial alpha stays premultiplied.
  std::printf("[4] translucent colour\n");
  TextStyle tr = st;
  tr.color = {255, 0, 0, 128};
  const TextImage red = render_text("Ag", tr);
  const Stats rs = stats(red);
  CHECK(rs.max_alpha == 128);
  CHECK(rs.premul_ok);
  bool red_only = true;
  for (size_t i = 0; i < red.pixels.size(); i += 4)
    red_only &= red.pixels[i] == red.pixels[i + 3] && red.pixels[i + 1] == 0 && red.pixels[i + 2] == 0;
  CHECK(red_only);

  // 5. Whitespace-only / empty-line text is valid and transparent.
  std::printf("[5] whitespace-only text\n");
  const TextImage blank = render_text(" \n", st);
  std::printf("  %dx%d\n", blank.width, blank.height);
  CHECK(blank.width > 0 && blank.height > 0 && stats(blank).inked == 0);

  std::printf(g_failures ? "SELFTEST FAILED (%d)\n" : "SELFTEST OK\n", g_failures);
  return g_failures ? 1 : 0;
}
