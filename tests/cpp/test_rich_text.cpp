// Rich text layout (src/text/rich_text.h): wrapping at max_width, justify, FriBidi visual order,
// outline growth, the painted subset keeping the image's coordinates. Font: DejaVu Sans (it has
// Arabic); skipped with a message when it is not installed.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>
#include <sys/stat.h>

#include "text/rich_text.h"

using namespace reelforge;

namespace {

const char* kFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

bool have_font() {
  struct stat st{};
  return stat(kFont, &st) == 0;
}

#define REQUIRE_DEJAVU()                                                  \
  if (!have_font()) {                                                     \
    MESSAGE("skipped: DejaVu Sans not installed (apt fonts-dejavu-core)"); \
    return;                                                               \
  }

RichTextImage render(const std::string& text, ParagraphStyle st, double size = 24) {
  return render_rich_text({TextSpan{text, kFont, size, {255, 255, 255, 255}, false}}, st);
}

// Per line: min x0 / max x1 of the clusters that are not spaces.
std::map<int, std::pair<float, float>> line_extents(const RichTextImage& r, const std::u32string& text) {
  std::map<int, std::pair<float, float>> out;
  for (const ClusterBox& c : r.clusters) {
    if (text[static_cast<size_t>(c.first)] == U' ') continue;
    auto [it, fresh] = out.try_emplace(c.line, c.x0, c.x1);
    if (!fresh) it->second = {std::min(it->second.first, c.x0), std::max(it->second.second, c.x1)};
  }
  return out;
}

}  // namespace

TEST_CASE("rich text: lines wrap within max_width and justify fills them") {
  REQUIRE_DEJAVU();
  const std::string text = "one two three four five six seven eight nine ten";
  const std::u32string u(text.begin(), text.end());
  ParagraphStyle st;
  st.max_width = 150;
  const RichTextImage r = render(text, st);
  CHECK(r.lines >= 3);
  for (const auto& [line, ext] : line_extents(r, u)) CHECK(ext.second - ext.first <= 150.01f);
  st.align = TextAlign::Justify;
  const RichTextImage j = render(text, st);
  const auto ext = line_extents(j, u);
  for (const auto& [line, e] : ext)
    if (line + 1 < j.lines) CHECK(e.second - e.first == doctest::Approx(150).epsilon(0.001));
  CHECK(j.text_x1 - j.text_x0 == doctest::Approx(150).epsilon(0.001));
}

TEST_CASE("rich text: an Arabic word inside Latin runs right to left (FriBidi)") {
  REQUIRE_DEJAVU();
  const std::string text = "ab \xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7 cd";  // "ab مرحبا cd"
  const RichTextImage r = render(text, ParagraphStyle{});
  std::map<int, float> x;
  for (const ClusterBox& c : r.clusters) x[c.first] = c.x0;
  CHECK(x[0] < x[1]);
  CHECK(x[1] < x[3]);
  for (int k = 3; k < 7; ++k) CHECK(x[k] > x[k + 1]);  // the five Arabic letters, logical 3..7
  CHECK(x[9] > x[3]);                                   // "cd" after the Arabic word
}

TEST_CASE("rich text: outline grows the ink; a painted subset keeps the coordinates") {
  REQUIRE_DEJAVU();
  ParagraphStyle st;
  const RichTextImage plain = render("HH", st, 40);
  st.stroke_width = 3;
  const RichTextImage outlined = render("HH", st, 40);
  auto ink_width = [](const RichTextImage& r) {
    int lo = r.width, hi = -1;
    for (int y = 0; y < r.height; ++y)
      for (int x = 0; x < r.width; ++x)
        if (r.pixels[(static_cast<size_t>(y) * r.width + x) * 4 + 3] > 0) lo = std::min(lo, x), hi = std::max(hi, x);
    return hi - lo + 1;
  };
  CHECK(ink_width(outlined) >= ink_width(plain) + 5);  // 3 px each side, anti-aliasing aside
  CHECK(ink_width(outlined) <= ink_width(plain) + 8);
  auto coverage = [](const RichTextImage& r) {
    long s = 0;
    for (size_t i = 3; i < r.pixels.size(); i += 4) s += r.pixels[i];
    return s;
  };
  CHECK(coverage(outlined) > coverage(plain) * 3 / 2);
  st.glyph_begin = 1, st.glyph_end = 2;  // the second H only
  const RichTextImage second = render("HH", st, 40);
  REQUIRE(second.width == outlined.width);
  REQUIRE(second.height == outlined.height);
  long left = 0, right = 0;
  const int mid = static_cast<int>((outlined.clusters[0].x1 + outlined.clusters[1].x0) / 2);
  for (int y = 0; y < second.height; ++y)
    for (int x = 0; x < second.width; ++x)
      (x < mid ? left : right) += second.pixels[(static_cast<size_t>(y) * second.width + x) * 4 + 3];
  CHECK(left == 0);
  CHECK(right * 2 == doctest::Approx(coverage(outlined)).epsilon(0.02));
}

TEST_CASE("rich text: bad values name the field") {
  ParagraphStyle st;
  st.max_width = -1;
  CHECK_THROWS_WITH_AS(render("x", st), doctest::Contains("max_width"), std::invalid_argument);
  CHECK_THROWS_AS(render_rich_text({}, ParagraphStyle{}), std::invalid_argument);
  CHECK_THROWS_WITH_AS(render("", ParagraphStyle{}), "text is empty", std::invalid_argument);
}
