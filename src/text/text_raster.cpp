#include "text_raster.h"

#include <ft2build.h>
#include FT_FREETYPE_H
#include <hb-ft.h>
#include <hb.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <new>
#include <stdexcept>
#include <string_view>
#include <type_traits>
#include <utility>

namespace reelforge {
namespace {

// ---------------------------------------------------------------------------
// FreeType error text. FT_Error_String() only returns text when FreeType was
// built with FT_CONFIG_OPTION_ERROR_STRINGS (Debian's is not), so fall back to
// the table FreeType itself publishes via the documented FT_ERRORS_H re-include
// trick.
const char* ft_error_table_lookup(FT_Error error_code) {
#undef FTERRORS_H_
#define FT_ERROR_START_LIST switch (FT_ERROR_BASE(error_code)) {
#define FT_ERRORDEF(e, v, s) \
  case v:                    \
    return s;
#define FT_ERROR_END_LIST }
#include FT_ERRORS_H
  return nullptr;
}

std::string ft_error_text(FT_Error err) {
  const char* s = nullptr;
#if FREETYPE_MAJOR > 2 || (FREETYPE_MAJOR == 2 && FREETYPE_MINOR >= 10)
  s = FT_Error_String(err);
#endif
  if (s == nullptr) s = ft_error_table_lookup(err);
  char code[48];
  std::snprintf(code, sizeof code, "FreeType error 0x%02X", static_cast<unsigned>(err));
  return s ? std::string(s) + " (" + code + ")" : std::string(code);
}

// ---------------------------------------------------------------------------
// RAII owners. Declaration order in render_text (library, face, hb font) makes
// destruction run in the reverse, dependency-safe order.
struct FtLibraryDeleter {
  void operator()(FT_Library p) const { FT_Done_FreeType(p); }
};
struct FtFaceDeleter {
  void operator()(FT_Face p) const { FT_Done_Face(p); }
};
struct HbFontDeleter {
  void operator()(hb_font_t* p) const { hb_font_destroy(p); }
};
struct HbBufferDeleter {
  void operator()(hb_buffer_t* p) const { hb_buffer_destroy(p); }
};
using FtLibraryPtr = std::unique_ptr<std::remove_pointer_t<FT_Library>, FtLibraryDeleter>;
using FtFacePtr = std::unique_ptr<std::remove_pointer_t<FT_Face>, FtFaceDeleter>;
using HbFontPtr = std::unique_ptr<hb_font_t, HbFontDeleter>;
using HbBufferPtr = std::unique_ptr<hb_buffer_t, HbBufferDeleter>;

// ---------------------------------------------------------------------------
// Strict UTF-8 decoding (RFC 3629): rejects overlongs, surrogates, > U+10FFFF
// and truncated sequences. Done up front because HarfBuzz would silently
// substitute U+FFFD, hiding bad input from the caller.
std::vector<uint32_t> decode_utf8(std::string_view s) {
  std::vector<uint32_t> out;
  out.reserve(s.size());
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  auto fail = [&](size_t at) {
    throw std::invalid_argument("render_text: invalid UTF-8 at byte offset " + std::to_string(at));
  };
  while (i < n) {
    const unsigned b0 = p[i];
    if (b0 < 0x80) {
      out.push_back(b0);
      ++i;
      continue;
    }
    int len;
    uint32_t cp;
    unsigned lo = 0x80, hi = 0xBF;  // allowed range of the 2nd byte
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      len = 2, cp = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      len = 3, cp = b0 & 0x0F;
      if (b0 == 0xE0) lo = 0xA0;  // overlong
      if (b0 == 0xED) hi = 0x9F;  // UTF-16 surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      len = 4, cp = b0 & 0x07;
      if (b0 == 0xF0) lo = 0x90;  // overlong
      if (b0 == 0xF4) hi = 0x8F;  // > U+10FFFF
    } else {
      fail(i);
    }
    if (n - i < static_cast<size_t>(len)) fail(i);
    for (int k = 1; k < len; ++k) {
      const unsigned b = p[i + k];
      if (b < (k == 1 ? lo : 0x80u) || b > (k == 1 ? hi : 0xBFu)) fail(i);
      cp = (cp << 6) | (b & 0x3F);
    }
    out.push_back(cp);
    i += len;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Simplified Unicode Bidi Algorithm (UAX #9) for one paragraph (= one line).
// HarfBuzz shapes a single direction+script per buffer, and
// hb_buffer_guess_segment_properties picks them from the *first* strong
// character, so a mixed line like "Hello مرحبا" must be split into runs first
// or the Arabic would be shaped as left-to-right Latin (unjoined, reversed).
// Without a bidi library we approximate the bidi class from the script and
// general category; explicit embeddings/isolates (LRE, RLI, ...) and bracket
// pairing (N0) are not supported. HarfBuzz mirrors brackets in RTL runs.
enum class Bc : uint8_t { L, R, EN, AN, ES, CS, ET, NSM, ON, WS };

bool is_rtl_script(hb_script_t sc) {
  return hb_script_get_horizontal_direction(sc) == HB_DIRECTION_RTL;
}
bool is_real_script(hb_script_t sc) {
  return sc != HB_SCRIPT_COMMON && sc != HB_SCRIPT_INHERITED && sc != HB_SCRIPT_UNKNOWN;
}

Bc approx_bidi_class(hb_unicode_funcs_t* uf, uint32_t cp) {
  const hb_unicode_general_category_t gc = hb_unicode_general_category(uf, cp);
  const hb_script_t sc = hb_unicode_script(uf, cp);
  if (gc == HB_UNICODE_GENERAL_CATEGORY_DECIMAL_NUMBER) {
    if ((cp >= 0x0660 && cp <= 0x0669)) return Bc::AN;  // Arabic-Indic digits
    if (sc == HB_SCRIPT_COMMON || (cp >= 0x06F0 && cp <= 0x06F9)) return Bc::EN;
    return is_rtl_script(sc) ? Bc::R : Bc::L;  // e.g. Devanagari digits are L
  }
  if (sc == HB_SCRIPT_INHERITED || gc == HB_UNICODE_GENERAL_CATEGORY_NON_SPACING_MARK ||
      gc == HB_UNICODE_GENERAL_CATEGORY_ENCLOSING_MARK)
    return Bc::NSM;  // combining marks, ZWJ/ZWNJ, variation selectors
  if (sc == HB_SCRIPT_UNKNOWN) return Bc::L;  // unassigned / private use default to L
  if (is_real_script(sc)) return is_rtl_script(sc) ? Bc::R : Bc::L;
  // Script Common from here on.
  switch (cp) {
    case '+': case '-': case 0x2212:
      return Bc::ES;
    case ',': case '.': case '/': case ':': case 0x00A0: case 0x060C: case 0x202F:
      return Bc::CS;
    case '#': case '$': case '%': case 0x00B0: case 0x00B1: case 0x2030: case 0x2031:
      return Bc::ET;
    default:
      break;
  }
  if (gc == HB_UNICODE_GENERAL_CATEGORY_CURRENCY_SYMBOL) return Bc::ET;
  if (gc == HB_UNICODE_GENERAL_CATEGORY_SPACE_SEPARATOR || cp == '\t') return Bc::WS;
  return Bc::ON;
}

struct Run {
  size_t start = 0, len = 0;
  uint8_t level = 0;  // even = LTR, odd = RTL
  hb_script_t script = HB_SCRIPT_COMMON;
};

// Returns the runs of `line` in visual (left-to-right) order.
std::vector<Run> itemize_line(hb_unicode_funcs_t* uf, const std::vector<uint32_t>& line) {
  const size_t n = line.size();
  std::vector<Run> runs;
  if (n == 0) return runs;

  std::vector<Bc> t(n);
  for (size_t i = 0; i < n; ++i) t[i] = approx_bidi_class(uf, line[i]);

  // P2/P3: paragraph level from the first strong character.
  uint8_t para = 0;
  for (Bc c : t)
    if (c == Bc::L || c == Bc::R) {
      para = c == Bc::R ? 1 : 0;
      break;
    }
  const Bc sos = para ? Bc::R : Bc::L;

  // W1: marks take the class of the preceding character.
  for (size_t i = 0; i < n; ++i)
    if (t[i] == Bc::NSM) t[i] = i ? t[i - 1] : sos;
  // W4: a single separator between two numbers of the same kind joins them.
  for (size_t i = 1; i + 1 < n; ++i) {
    if (t[i] == Bc::ES && t[i - 1] == Bc::EN && t[i + 1] == Bc::EN) t[i] = Bc::EN;
    if (t[i] == Bc::CS && t[i - 1] == t[i + 1] && (t[i - 1] == Bc::EN || t[i - 1] == Bc::AN))
      t[i] = t[i - 1];
  }
  // W5: terminators (%, $, ...) adjacent to European numbers become numbers.
  for (size_t i = 0; i < n;) {
    if (t[i] != Bc::ET) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < n && t[j] == Bc::ET) ++j;
    if ((i > 0 && t[i - 1] == Bc::EN) || (j < n && t[j] == Bc::EN))
      std::fill(t.begin() + i, t.begin() + j, Bc::EN);
    i = j;
  }
  // W6: remaining separators/terminators are neutral.
  for (Bc& c : t)
    if (c == Bc::ES || c == Bc::CS || c == Bc::ET) c = Bc::ON;
  // W7: European numbers after an L context are L.
  {
    Bc last_strong = sos;
    for (size_t i = 0; i < n; ++i) {
      if (t[i] == Bc::L || t[i] == Bc::R) last_strong = t[i];
      else if (t[i] == Bc::EN && last_strong == Bc::L) t[i] = Bc::L;
    }
  }
  // N1/N2: neutral sequences take the surrounding direction if both sides
  // agree (numbers count as R), otherwise the paragraph direction.
  auto strong_dir = [](Bc c) { return c == Bc::L ? Bc::L : Bc::R; };
  for (size_t i = 0; i < n;) {
    if (t[i] != Bc::ON && t[i] != Bc::WS) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < n && (t[j] == Bc::ON || t[j] == Bc::WS)) ++j;
    const Bc before = i ? strong_dir(t[i - 1]) : sos;
    const Bc after = j < n ? strong_dir(t[j]) : sos;
    const Bc resolved = before == after ? before : sos;
    std::fill(t.begin() + i, t.begin() + j, resolved);
    i = j;
  }
  // I1/I2: implicit levels.
  std::vector<uint8_t> level(n);
  for (size_t i = 0; i < n; ++i) {
    if (para == 0) level[i] = t[i] == Bc::L ? 0 : t[i] == Bc::R ? 1 : 2;
    else level[i] = t[i] == Bc::R ? 1 : 2;
  }
  // L1: trailing whitespace goes back to the paragraph level.
  for (size_t i = n; i > 0; --i) {
    const uint32_t cp = line[i - 1];
    if (cp != ' ' && cp != '\t' &&
        hb_unicode_general_category(uf, cp) != HB_UNICODE_GENERAL_CATEGORY_SPACE_SEPARATOR)
      break;
    level[i - 1] = para;
  }

  // Split into runs of equal level and script. Common/inherited characters
  // adopt the script of a neighbour in the same level run, so punctuation and
  // spaces stay in the run they belong to.
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && level[j] == level[i]) ++j;
    std::vector<hb_script_t> sc(j - i);
    hb_script_t cur = HB_SCRIPT_COMMON;
    for (size_t k = i; k < j; ++k) {
      const hb_script_t s = hb_unicode_script(uf, line[k]);
      if (is_real_script(s)) cur = s;
      sc[k - i] = cur;
    }
    // Leading commons take the first real script that follows.
    hb_script_t next = HB_SCRIPT_COMMON;
    for (size_t k = j; k > i; --k) {
      if (is_real_script(hb_unicode_script(uf, line[k - 1]))) next = sc[k - 1 - i];
      if (!is_real_script(sc[k - 1 - i])) sc[k - 1 - i] = next;
    }
    for (size_t k = i; k < j;) {
      size_t m = k;
      while (m < j && sc[m - i] == sc[k - i]) ++m;
      runs.push_back(Run{k, m - k, level[i], sc[k - i]});
      k = m;
    }
    i = j;
  }

  // L2: reverse sequences of runs at each level from the highest down to the
  // lowest odd level. HarfBuzz already emits each RTL run's glyphs in visual
  // order, so only the run order needs reversing here.
  uint8_t max_level = 0, min_odd = 255;
  for (const Run& r : runs) {
    max_level = std::max(max_level, r.level);
    if (r.level & 1) min_odd = std::min(min_odd, r.level);
  }
  for (int lv = max_level; lv >= min_odd && lv > 0; --lv) {
    for (size_t i = 0; i < runs.size();) {
      if (runs[i].level < lv) {
        ++i;
        continue;
      }
      size_t j = i;
      while (j < runs.size() && runs[j].level >= lv) ++j;
      std::reverse(runs.begin() + i, runs.begin() + j);
      i = j;
    }
  }
  return runs;
}

// ---------------------------------------------------------------------------
struct PlacedGlyph {
  hb_codepoint_t gid;
  int64_t x64;  // pen x + x_offset, 26.6, relative to line start
  int64_t y64;  // y_offset, 26.6, y-up, relative to baseline
};
struct ShapedLine {
  std::vector<PlacedGlyph> glyphs;
  int64_t width64 = 0;  // total advance, 26.6
};

ShapedLine shape_line(hb_font_t* font, hb_buffer_t* buf, const std::vector<uint32_t>& line) {
  ShapedLine out;
  hb_unicode_funcs_t* uf = hb_unicode_funcs_get_default();
  int64_t pen_x = 0, pen_y = 0;
  for (const Run& run : itemize_line(uf, line)) {
    hb_buffer_clear_contents(buf);
    // Pass the whole line as context so cross-run joining (e.g. Arabic
    // letters next to a mark in another run) is shaped correctly.
    hb_buffer_add_codepoints(buf, line.data(), static_cast<int>(line.size()),
                             static_cast<unsigned>(run.start), static_cast<int>(run.len));
    if (!hb_buffer_allocation_successful(buf)) throw std::bad_alloc();
    hb_buffer_set_direction(buf, (run.level & 1) ? HB_DIRECTION_RTL : HB_DIRECTION_LTR);
    if (is_real_script(run.script)) hb_buffer_set_script(buf, run.script);
    // Fills in whatever is still unset (language, script of all-common runs).
    hb_buffer_guess_segment_properties(buf);
    unsigned flags = HB_BUFFER_FLAG_DEFAULT;
    if (run.start == 0) flags |= HB_BUFFER_FLAG_BOT;
    if (run.start + run.len == line.size()) flags |= HB_BUFFER_FLAG_EOT;
    hb_buffer_set_flags(buf, static_cast<hb_buffer_flags_t>(flags));
    hb_shape(font, buf, nullptr, 0);

    unsigned count = 0;
    const hb_glyph_info_t* info = hb_buffer_get_glyph_infos(buf, &count);
    const hb_glyph_position_t* pos = hb_buffer_get_glyph_positions(buf, &count);
    for (unsigned i = 0; i < count; ++i) {
      out.glyphs.push_back({info[i].codepoint, pen_x + pos[i].x_offset, pen_y + pos[i].y_offset});
      pen_x += pos[i].x_advance;
      pen_y += pos[i].y_advance;
    }
  }
  out.width64 = pen_x;
  return out;
}

struct RasterGlyph {
  int left, top, w, h;  // in layout pixels (origin = first baseline, x = 0)
  std::vector<uint8_t> cov;
};

int64_t floor_div64(int64_t v) { return v >= 0 ? v / 64 : -((-v + 63) / 64); }

constexpr int kPad = 2;           // transparent border; keeps AA edges unclipped and bilinear-safe
constexpr int kMaxDim = 16384;    // sanity cap (typical max GPU texture size)

}  // namespace

TextImage render_text(const std::string& utf8, const TextStyle& style) {
  // Argument checks first, so callers get invalid_argument before any I/O.
  if (utf8.empty()) throw std::invalid_argument("text is empty");
  const std::vector<uint32_t> cps = decode_utf8(utf8);
  if (!std::isfinite(style.size_px) || style.size_px <= 0 || style.size_px > 10000)
    throw std::invalid_argument("render_text: size_px must be in (0, 10000]");
  if (!std::isfinite(style.line_spacing) || style.line_spacing <= 0 || style.line_spacing > 100)
    throw std::invalid_argument("render_text: line_spacing must be in (0, 100]");
  int align_mode;
  if (style.align == "left") align_mode = 0;
  else if (style.align == "center") align_mode = 1;
  else if (style.align == "right") align_mode = 2;
  else throw std::invalid_argument("render_text: align must be left|center|right, got '" + style.align + "'");

  // Split into lines on '\n' (stripping a trailing '\r' for CRLF input).
  std::vector<std::vector<uint32_t>> lines(1);
  for (uint32_t cp : cps) {
    if (cp == '\n') {
      if (!lines.back().empty() && lines.back().back() == '\r') lines.back().pop_back();
      lines.emplace_back();
    } else {
      lines.back().push_back(cp);
    }
  }
  if (!lines.back().empty() && lines.back().back() == '\r') lines.back().pop_back();

  // A private FT_Library per call: FreeType objects are not thread-safe to
  // share, and render_text may be called from several render threads.
  FT_Library lib_raw = nullptr;
  if (FT_Error e = FT_Init_FreeType(&lib_raw))
    throw std::runtime_error("render_text: FT_Init_FreeType failed: " + ft_error_text(e));
  FtLibraryPtr lib(lib_raw);

  const std::string& path = style.font_path;
  FT_Face face_raw = nullptr;
  if (FT_Error e = FT_New_Face(lib.get(), path.c_str(), 0, &face_raw))
    throw std::runtime_error("render_text: cannot load font '" + path + "': " + ft_error_text(e));
  FtFacePtr face(face_raw);

  // 72 dpi makes the nominal "point" size equal to pixels.
  const auto size64 = static_cast<FT_F26Dot6>(std::max(1.0, std::round(style.size_px * 64.0)));
  if (FT_Error e = FT_Set_Char_Size(face.get(), 0, size64, 72, 72))
    throw std::runtime_error("render_text: cannot set size " + std::to_string(style.size_px) +
                             "px on font '" + path + "' (bitmap-only font?): " + ft_error_text(e));

  // hb-ft shares the FT_Face (and takes its own reference). Unhinted advances
  // match the unhinted, subpixel-positioned rasterization below.
  HbFontPtr font(hb_ft_font_create_referenced(face.get()));
  hb_ft_font_set_load_flags(font.get(), FT_LOAD_NO_HINTING);
  HbBufferPtr buf(hb_buffer_create());
  if (!hb_buffer_allocation_successful(buf.get())) throw std::bad_alloc();

  // Shape everything before rasterizing: FT_Set_Transform below mutates the
  // shared face state that hb-ft also reads.
  std::vector<ShapedLine> shaped;
  shaped.reserve(lines.size());
  int64_t max_w64 = 0;
  for (const auto& line : lines) {
    shaped.push_back(shape_line(font.get(), buf.get(), line));
    max_w64 = std::max(max_w64, shaped.back().width64);
  }

  const double line_adv_px = style.size_px * style.line_spacing;
  const double asc_px = static_cast<double>(face->size->metrics.ascender) / 64.0;     // > 0, above baseline
  const double desc_px = -static_cast<double>(face->size->metrics.descender) / 64.0;  // > 0, below baseline
  const double last_baseline = line_adv_px * static_cast<double>(lines.size() - 1);

  // Bounds start as the nominal text box so the baseline position is stable
  // regardless of which letters occur; glyph ink is unioned in below.
  int64_t min_x = 0, max_x = (max_w64 + 63) / 64;
  int64_t min_y = static_cast<int64_t>(std::floor(-asc_px));
  int64_t max_y = static_cast<int64_t>(std::ceil(last_baseline + desc_px));

  std::vector<RasterGlyph> rasters;
  FT_GlyphSlot slot = face->glyph;
  for (size_t li = 0; li < shaped.size(); ++li) {
    const ShapedLine& sl = shaped[li];
    int64_t align64 = 0;
    if (align_mode == 1) align64 = (max_w64 - sl.width64) / 2;
    else if (align_mode == 2) align64 = max_w64 - sl.width64;
    const auto baseline64 = static_cast<int64_t>(std::llround(line_adv_px * static_cast<double>(li) * 64.0));

    for (const PlacedGlyph& g : sl.glyphs) {
      // Pen position in 26.6, y-down. Integer part positions the bitmap; the
      // fractional part is applied as an outline translation (subpixel
      // positioning), so spacing is exact and doesn't jitter when animated.
      const int64_t px64 = align64 + g.x64;
      const int64_t py64 = baseline64 - g.y64;
      const int64_t ix = floor_div64(px64), iy = floor_div64(py64);
      FT_Vector delta{static_cast<FT_Pos>(px64 - ix * 64), -static_cast<FT_Pos>(py64 - iy * 64)};
      FT_Set_Transform(face.get(), nullptr, &delta);

      // Prefer outlines (embedded bitmaps ignore the subpixel transform and
      // exist only at fixed sizes); fall back for bitmap-only glyphs. A glyph
      // that can't be loaded is skipped rather than failing the whole title.
      FT_Error err = FT_Load_Glyph(face.get(), g.gid, FT_LOAD_NO_HINTING | FT_LOAD_NO_BITMAP);
      if (err) err = FT_Load_Glyph(face.get(), g.gid, FT_LOAD_NO_HINTING);
      if (err) continue;
      if (slot->format != FT_GLYPH_FORMAT_BITMAP && FT_Render_Glyph(slot, FT_RENDER_MODE_NORMAL))
        continue;
      const FT_Bitmap& bm = slot->bitmap;
      if (bm.width == 0 || bm.rows == 0) continue;  // spaces etc.
      if (bm.pixel_mode != FT_PIXEL_MODE_GRAY && bm.pixel_mode != FT_PIXEL_MODE_MONO) continue;

      RasterGlyph rg;
      rg.left = static_cast<int>(ix + slot->bitmap_left);
      rg.top = static_cast<int>(iy - slot->bitmap_top);
      rg.w = static_cast<int>(bm.width);
      rg.h = static_cast<int>(bm.rows);
      rg.cov.resize(static_cast<size_t>(rg.w) * rg.h);
      const int pitch = bm.pitch;
      for (int r = 0; r < rg.h; ++r) {
        // Negative pitch means rows are stored bottom-up.
        const unsigned char* row =
            pitch >= 0 ? bm.buffer + static_cast<ptrdiff_t>(r) * pitch
                       : bm.buffer + static_cast<ptrdiff_t>(rg.h - 1 - r) * -pitch;
        uint8_t* dst = &rg.cov[static_cast<size_t>(r) * rg.w];
        if (bm.pixel_mode == FT_PIXEL_MODE_GRAY) {
          std::copy(row, row + rg.w, dst);
        } else {
          for (int c = 0; c < rg.w; ++c) dst[c] = (row[c >> 3] & (0x80 >> (c & 7))) ? 255 : 0;
        }
      }
      min_x = std::min<int64_t>(min_x, rg.left);
      min_y = std::min<int64_t>(min_y, rg.top);
      max_x = std::max<int64_t>(max_x, static_cast<int64_t>(rg.left) + rg.w);
      max_y = std::max<int64_t>(max_y, static_cast<int64_t>(rg.top) + rg.h);
      rasters.push_back(std::move(rg));
    }
  }

  const int64_t w64 = max_x - min_x + 2 * kPad;
  const int64_t h64 = max_y - min_y + 2 * kPad;
  if (w64 > kMaxDim || h64 > kMaxDim)
    throw std::invalid_argument("render_text: rendered text would be " + std::to_string(w64) + "x" +
                                std::to_string(h64) + " px, over the " + std::to_string(kMaxDim) +
                                " px limit");

  TextImage img;
  img.width = static_cast<int>(w64);
  img.height = static_cast<int>(h64);
  const int ox = static_cast<int>(kPad - min_x), oy = static_cast<int>(kPad - min_y);
  img.baseline_y = oy;

  // Accumulate a single coverage mask first ("over" union: overlapping AA
  // edges of e.g. joined Arabic letters don't double-darken), then colorize
  // once; this also guarantees the premultiplied invariant r,g,b <= a.
  std::vector<uint8_t> mask(static_cast<size_t>(img.width) * img.height, 0);
  for (const RasterGlyph& rg : rasters) {
    for (int r = 0; r < rg.h; ++r) {
      uint8_t* dst = &mask[static_cast<size_t>(rg.top + oy + r) * img.width + (rg.left + ox)];
      const uint8_t* src = &rg.cov[static_cast<size_t>(r) * rg.w];
      for (int c = 0; c < rg.w; ++c) {
        const unsigned m = dst[c], s = src[c];
        dst[c] = static_cast<uint8_t>(m + s - (m * s + 127) / 255);
      }
    }
  }

  const unsigned R = style.color[0], G = style.color[1], B = style.color[2], A = style.color[3];
  img.pixels.assign(mask.size() * 4, 0);
  for (size_t i = 0; i < mask.size(); ++i) {
    if (!mask[i]) continue;
    const unsigned a = (A * mask[i] + 127) / 255;
    uint8_t* px = &img.pixels[i * 4];
    px[0] = static_cast<uint8_t>((R * a + 127) / 255);
    px[1] = static_cast<uint8_t>((G * a + 127) / 255);
    px[2] = static_cast<uint8_t>((B * a + 127) / 255);
    px[3] = static_cast<uint8_t>(a);
  }
  return img;
}

}  // namespace reelforge
