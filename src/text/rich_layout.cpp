// Layout of styled text: FriBidi levels, libunibreak break opportunities, HarfBuzz shaping, greedy
// line filling, alignment and visual reordering (see rich_text.h).
#include "text/rich_layout.h"

#include <fribidi.h>
#include <hb-ft.h>
#include <linebreak.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <new>
#include <stdexcept>

namespace reelforge {

std::vector<uint32_t> decode_utf8_strict(const std::string& str) {
  std::vector<uint32_t> out;
  out.reserve(str.size());
  const auto* p = reinterpret_cast<const unsigned char*>(str.data());
  const size_t n = str.size();
  auto fail = [](size_t at) {
    throw std::invalid_argument("render_text: invalid UTF-8 at byte offset " + std::to_string(at));
  };
  for (size_t i = 0; i < n;) {
    const unsigned b0 = p[i];
    if (b0 < 0x80) {
      out.push_back(b0);
      ++i;
      continue;
    }
    int len = 0;
    uint32_t cp = 0;
    unsigned lo = 0x80, hi = 0xBF;  // allowed range of the 2nd byte (overlongs, surrogates, > U+10FFFF)
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      len = 2, cp = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      len = 3, cp = b0 & 0x0F;
      if (b0 == 0xE0) lo = 0xA0;
      if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      len = 4, cp = b0 & 0x07;
      if (b0 == 0xF0) lo = 0x90;
      if (b0 == 0xF4) hi = 0x8F;
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

namespace text_detail {

namespace {
// FT_Error_String needs FT_CONFIG_OPTION_ERROR_STRINGS (Debian's FreeType lacks it): fall back to
// the table FreeType publishes through the FT_ERRORS_H re-include.
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
}  // namespace

std::string ft_error_text(FT_Error err) {
  const char* s = FT_Error_String(err);
  if (s == nullptr) s = ft_error_table_lookup(err);
  char code[48];
  std::snprintf(code, sizeof code, "FreeType error 0x%02X", static_cast<unsigned>(err));
  return s ? std::string(s) + " (" + code + ")" : std::string(code);
}

FontSet::FontSet(const std::vector<TextSpan>& spans) {
  FT_Library raw = nullptr;
  if (FT_Error e = FT_Init_FreeType(&raw))
    throw std::runtime_error("render_text: FT_Init_FreeType failed: " + ft_error_text(e));
  lib_.reset(raw);
  fonts_.reserve(spans.size());
  for (const TextSpan& sp : spans) {
    FT_Face face = nullptr;
    if (FT_Error e = FT_New_Face(lib_.get(), sp.font_path.c_str(), 0, &face))
      throw std::runtime_error("render_text: cannot load font '" + sp.font_path + "': " + ft_error_text(e));
    SpanFont f;
    f.face.reset(face);
    // 72 dpi: the nominal point size is the pixel size.
    const auto size64 = static_cast<FT_F26Dot6>(std::max(1.0, std::round(sp.size_px * 64.0)));
    if (FT_Error e = FT_Set_Char_Size(face, 0, size64, 72, 72))
      throw std::runtime_error("render_text: cannot set size " + std::to_string(sp.size_px) + "px on font '" +
                               sp.font_path + "' (bitmap-only font?): " + ft_error_text(e));
    // Unhinted advances match the unhinted, subpixel-positioned rasterisation.
    f.hb.reset(hb_ft_font_create_referenced(face));
    hb_ft_font_set_load_flags(f.hb.get(), FT_LOAD_NO_HINTING);
    f.size_px = sp.size_px;
    f.ascender = static_cast<double>(face->size->metrics.ascender) / 64.0;
    f.descender = -static_cast<double>(face->size->metrics.descender) / 64.0;
    f.embolden = sp.embolden;
    fonts_.push_back(std::move(f));
  }
}

namespace {

struct HbBufferDeleter {
  void operator()(hb_buffer_t* p) const { hb_buffer_destroy(p); }
};
using HbBufferPtr = std::unique_ptr<hb_buffer_t, HbBufferDeleter>;

bool real_script(hb_script_t sc) {
  return sc != HB_SCRIPT_COMMON && sc != HB_SCRIPT_INHERITED && sc != HB_SCRIPT_UNKNOWN;
}

bool is_space(uint32_t cp) {
  return cp == ' ' || cp == '\t' || cp == 0x00A0 || cp == 0x3000 || (cp >= 0x2000 && cp <= 0x200A);
}

// One paragraph: its code points (logical), span per code point, FriBidi levels, script per code
// point (common/inherited characters take a neighbour's script so punctuation stays in its run).
struct Paragraph {
  size_t offset = 0;  // index of cps[0] in the whole text
  std::vector<uint32_t> cps, span;
  std::vector<FriBidiLevel> level;
  std::vector<hb_script_t> script;
  FriBidiLevel base = 0;
};

void resolve_levels(Paragraph& p) {
  const auto n = static_cast<FriBidiStrIndex>(p.cps.size());
  p.level.assign(p.cps.size(), 0);
  if (n == 0) return;
  std::vector<FriBidiCharType> types(p.cps.size());
  std::vector<FriBidiBracketType> brackets(p.cps.size());
  const auto* str = reinterpret_cast<const FriBidiChar*>(p.cps.data());
  fribidi_get_bidi_types(str, n, types.data());
  fribidi_get_bracket_types(str, n, types.data(), brackets.data());
  FriBidiParType dir = FRIBIDI_PAR_ON;
  if (!fribidi_get_par_embedding_levels_ex(types.data(), brackets.data(), n, &dir, p.level.data()))
    throw std::bad_alloc();
  p.base = FRIBIDI_IS_RTL(dir) ? 1 : 0;
}

void resolve_scripts(Paragraph& p) {
  hb_unicode_funcs_t* uf = hb_unicode_funcs_get_default();
  const size_t n = p.cps.size();
  p.script.assign(n, HB_SCRIPT_COMMON);
  hb_script_t cur = HB_SCRIPT_COMMON;
  for (size_t i = 0; i < n; ++i) {
    const hb_script_t s = hb_unicode_script(uf, p.cps[i]);
    if (real_script(s)) cur = s;
    p.script[i] = cur;
  }
  hb_script_t next = HB_SCRIPT_COMMON;  // leading commons take the first real script that follows
  for (size_t i = n; i > 0; --i) {
    if (real_script(p.script[i - 1])) next = p.script[i - 1];
    else p.script[i - 1] = next;
  }
}

struct Run {
  size_t start = 0, len = 0;  // paragraph indices
  FriBidiLevel level = 0;
};

// Runs of [a, b) with equal level, script and span, in visual order (UAX #9 L1 and L2).
std::vector<Run> visual_runs(const Paragraph& p, size_t a, size_t b) {
  std::vector<FriBidiLevel> lv(p.level.begin() + a, p.level.begin() + b);
  for (size_t i = b; i > a && is_space(p.cps[i - 1]); --i) lv[i - 1 - a] = p.base;  // L1
  std::vector<Run> runs;
  for (size_t i = a; i < b;) {
    size_t j = i + 1;
    while (j < b && lv[j - a] == lv[i - a] && p.script[j] == p.script[i] && p.span[j] == p.span[i]) ++j;
    runs.push_back(Run{i, j - i, lv[i - a]});
    i = j;
  }
  FriBidiLevel max_level = 0, min_odd = 255;
  for (const Run& r : runs) {
    max_level = std::max(max_level, r.level);
    if (r.level & 1) min_odd = std::min(min_odd, r.level);
  }
  for (int level = max_level; level >= min_odd && level > 0; --level) {  // L2
    for (size_t i = 0; i < runs.size();) {
      if (runs[i].level < level) {
        ++i;
        continue;
      }
      size_t j = i;
      while (j < runs.size() && runs[j].level >= level) ++j;
      std::reverse(runs.begin() + static_cast<ptrdiff_t>(i), runs.begin() + static_cast<ptrdiff_t>(j));
      i = j;
    }
  }
  return runs;
}

struct ShapedGlyph {
  uint32_t gid, span;
  int32_t cluster;  // paragraph index
  int64_t x64, y64, adv64;  // offsets from the pen, y down; advance
};

// Shapes [a, b) of the paragraph (whole paragraph as context), glyphs in visual order.
// Letter spacing is added once per cluster.
std::vector<ShapedGlyph> shape_range(const Paragraph& p, size_t a, size_t b, FontSet& fonts, hb_buffer_t* buf,
                                     int64_t spacing64) {
  std::vector<ShapedGlyph> out;
  for (const Run& run : visual_runs(p, a, b)) {
    hb_buffer_clear_contents(buf);
    hb_buffer_add_codepoints(buf, p.cps.data(), static_cast<int>(p.cps.size()), static_cast<unsigned>(run.start),
                             static_cast<int>(run.len));
    if (!hb_buffer_allocation_successful(buf)) throw std::bad_alloc();
    hb_buffer_set_direction(buf, (run.level & 1) ? HB_DIRECTION_RTL : HB_DIRECTION_LTR);
    if (real_script(p.script[run.start])) hb_buffer_set_script(buf, p.script[run.start]);
    hb_buffer_guess_segment_properties(buf);
    unsigned flags = HB_BUFFER_FLAG_DEFAULT;
    if (run.start == 0) flags |= HB_BUFFER_FLAG_BOT;
    if (run.start + run.len == p.cps.size()) flags |= HB_BUFFER_FLAG_EOT;
    hb_buffer_set_flags(buf, static_cast<hb_buffer_flags_t>(flags));
    const uint32_t span = p.span[run.start];
    hb_shape(fonts[span].hb.get(), buf, nullptr, 0);
    unsigned count = 0;
    const hb_glyph_info_t* info = hb_buffer_get_glyph_infos(buf, &count);
    const hb_glyph_position_t* pos = hb_buffer_get_glyph_positions(buf, &count);
    for (unsigned i = 0; i < count; ++i) {
      int64_t adv = pos[i].x_advance;
      if (i + 1 == count || info[i + 1].cluster != info[i].cluster) adv += spacing64;
      out.push_back({info[i].codepoint, span, static_cast<int32_t>(info[i].cluster), pos[i].x_offset,
                     -static_cast<int64_t>(pos[i].y_offset), adv});
    }
  }
  return out;
}

void init_unibreak_once() {
  static std::once_flag once;
  std::call_once(once, [] { init_linebreak(); });
}

// Greedy line filling: [start, end) paragraph ranges.
std::vector<std::pair<size_t, size_t>> break_lines(const Paragraph& p, const std::vector<int64_t>& adv,
                                                   double max_width) {
  const size_t n = p.cps.size();
  std::vector<std::pair<size_t, size_t>> lines;
  if (n == 0) return {{0, 0}};
  std::vector<char> brk(n);
  init_unibreak_once();
  set_linebreaks_utf32(reinterpret_cast<const utf32_t*>(p.cps.data()), n, "", brk.data());
  const auto limit64 = static_cast<int64_t>(std::floor(max_width * 64.0));
  size_t start = 0;
  int64_t width = 0;   // of [start, i], trailing spaces included
  size_t last_ok = n;  // break allowed after this index (n: none yet)
  auto trimmed = [&](size_t i, int64_t w) {
    for (size_t k = i + 1; k > start && is_space(p.cps[k - 1]); --k) w -= adv[k - 1];
    return w;
  };
  for (size_t i = 0; i < n; ++i) {
    width += adv[i];
    if (max_width > 0 && i > start && trimmed(i, width) > limit64) {
      const size_t cut = (last_ok != n && last_ok >= start && last_ok < i) ? last_ok + 1 : i;  // else mid-word
      lines.emplace_back(start, cut);
      start = cut;
      width = 0;
      for (size_t k = start; k <= i; ++k) width += adv[k];
      last_ok = n;
    }
    if (brk[i] == LINEBREAK_ALLOWBREAK) last_ok = i;
    if (brk[i] == LINEBREAK_MUSTBREAK && i + 1 < n) {  // U+2028 and friends
      lines.emplace_back(start, i + 1);
      start = i + 1;
      width = 0;
      last_ok = n;
    }
  }
  lines.emplace_back(start, n);
  return lines;
}

struct Line {
  std::vector<ShapedGlyph> glyphs;
  int64_t width64 = 0;       // without trailing spaces
  int64_t lead64 = 0;        // pen shift: trailing spaces of an RTL paragraph sit at the left
  double size = 0, asc = 0, desc = 0;
  bool last_of_paragraph = false;
  bool rtl = false;
  size_t offset = 0;  // paragraph offset in the whole text
  size_t a = 0, b = 0;  // the line's paragraph range
};

}  // namespace

Layout lay_out(const std::vector<uint32_t>& cps, const std::vector<uint32_t>& span_of, FontSet& fonts,
               const ParagraphStyle& style) {
  // Paragraphs at '\n' (a CRLF's '\r' dropped); the separators themselves are not shaped.
  std::vector<Paragraph> paras(1);
  for (size_t i = 0; i < cps.size(); ++i) {
    if (cps[i] == '\n') {
      Paragraph& last = paras.back();
      if (!last.cps.empty() && last.cps.back() == '\r') last.cps.pop_back(), last.span.pop_back();
      paras.emplace_back();
      paras.back().offset = i + 1;
      continue;
    }
    paras.back().cps.push_back(cps[i]);
    paras.back().span.push_back(span_of[i]);
  }
  if (!paras.back().cps.empty() && paras.back().cps.back() == '\r') paras.back().cps.pop_back(), paras.back().span.pop_back();

  HbBufferPtr buf(hb_buffer_create());
  if (!hb_buffer_allocation_successful(buf.get())) throw std::bad_alloc();
  const auto spacing64 = static_cast<int64_t>(std::llround(style.letter_spacing * 64.0));

  std::vector<Line> lines;
  for (Paragraph& p : paras) {
    resolve_levels(p);
    resolve_scripts(p);
    // Per-character advances from the whole paragraph shaped once (clusters credit their first char).
    std::vector<int64_t> adv(p.cps.size(), 0);
    for (const ShapedGlyph& g : shape_range(p, 0, p.cps.size(), fonts, buf.get(), spacing64))
      adv[static_cast<size_t>(g.cluster)] += g.adv64;
    const auto ranges = break_lines(p, adv, style.max_width);
    for (size_t r = 0; r < ranges.size(); ++r) {
      const auto [a, b] = ranges[r];
      Line line;
      line.offset = p.offset;
      line.a = a;
      line.b = b;
      line.rtl = p.base & 1;
      line.last_of_paragraph = r + 1 == ranges.size();
      line.glyphs = shape_range(p, a, b, fonts, buf.get(), spacing64);
      int64_t total = 0, trailing = 0;
      for (const ShapedGlyph& g : line.glyphs) total += g.adv64;
      for (size_t k = b; k > a && is_space(p.cps[k - 1]); --k) trailing += adv[k - 1];
      line.width64 = total - trailing;
      line.lead64 = line.rtl ? -trailing : 0;
      // Vertical metrics: the spans present on the line (an empty line: the paragraph's or first span).
      std::vector<uint32_t> present;
      for (size_t k = a; k < b; ++k) present.push_back(p.span[k]);
      if (present.empty()) present.push_back(p.offset < span_of.size() ? span_of[p.offset] : (span_of.empty() ? 0 : span_of.back()));
      for (uint32_t s : present) {
        line.size = std::max(line.size, fonts[s].size_px);
        line.asc = std::max(line.asc, fonts[s].ascender);
        line.desc = std::max(line.desc, fonts[s].descender);
      }
      lines.push_back(std::move(line));
    }
  }

  int64_t box_w64 = 0;
  for (const Line& l : lines) box_w64 = std::max(box_w64, l.width64);
  if (style.align == TextAlign::Justify && style.max_width > 0)
    box_w64 = std::max(box_w64, static_cast<int64_t>(std::floor(style.max_width * 64.0)));

  Layout out;
  out.lines = static_cast<int>(lines.size());
  double top = 0;
  for (size_t li = 0; li < lines.size(); ++li) {
    Line& l = lines[li];
    const double line_box = style.line_height * l.size;
    const double baseline = top + (line_box - (l.asc + l.desc)) / 2 + l.asc;  // half-leading above
    if (li == 0) {
      out.first_baseline = baseline;
      out.text_y0 = baseline - l.asc;
    }
    out.text_y1 = baseline + l.desc;
    top += line_box;

    int64_t x64 = l.lead64;
    const int64_t slack = box_w64 - l.width64;
    std::vector<int64_t> extra(l.glyphs.size(), 0);  // justification space after each glyph
    switch (style.align) {
      case TextAlign::Left: break;
      case TextAlign::Center: x64 += slack / 2; break;
      case TextAlign::Right: x64 += slack; break;
      case TextAlign::Justify: {
        if (l.last_of_paragraph) {
          if (l.rtl) x64 += slack;
          break;
        }
        // Widen the spaces (inter-word gaps); text without spaces (CJK) widens every gap.
        const size_t para_off = l.offset;
        auto is_gap = [&](size_t k) { return is_space(cps[para_off + static_cast<size_t>(l.glyphs[k].cluster)]); };
        std::vector<size_t> gaps;
        // Trailing spaces (visual end for LTR, start for RTL) are excluded.
        size_t lo = 0, hi = l.glyphs.size();
        while (hi > lo && is_gap(l.rtl ? lo : hi - 1)) l.rtl ? ++lo : --hi;
        for (size_t k = lo; k < hi; ++k)
          if (is_gap(k)) gaps.push_back(k);
        if (gaps.empty())
          for (size_t k = lo; k + 1 < hi; ++k)
            if (l.glyphs[k + 1].cluster != l.glyphs[k].cluster) gaps.push_back(k);
        if (gaps.empty() || slack <= 0) break;
        for (size_t g = 0; g < gaps.size(); ++g)
          extra[gaps[g]] = slack * static_cast<int64_t>(g + 1) / static_cast<int64_t>(gaps.size()) -
                           slack * static_cast<int64_t>(g) / static_cast<int64_t>(gaps.size());
        break;
      }
    }
    const auto base64 = static_cast<int64_t>(std::llround(baseline * 64.0));
    std::vector<int32_t> starts;  // cluster starts on the line: a cluster ends where the next begins
    for (const ShapedGlyph& g : l.glyphs) starts.push_back(g.cluster);
    std::sort(starts.begin(), starts.end());
    auto cluster_end = [&](int32_t c) {
      auto it = std::upper_bound(starts.begin(), starts.end(), c);
      return static_cast<int32_t>(l.offset) + (it == starts.end() ? static_cast<int32_t>(l.b) : *it);
    };
    for (size_t k = 0; k < l.glyphs.size(); ++k) {
      const ShapedGlyph& g = l.glyphs[k];
      const int32_t cluster = static_cast<int32_t>(l.offset) + g.cluster;
      out.glyphs.push_back({g.gid, g.span, cluster, x64 + g.x64, base64 + g.y64});
      ClusterBox cb;
      cb.first = cluster;
      cb.last = cluster_end(g.cluster);
      cb.line = static_cast<int32_t>(li);
      cb.x0 = static_cast<float>(static_cast<double>(x64) / 64.0);
      cb.x1 = static_cast<float>(static_cast<double>(x64 + g.adv64) / 64.0);
      cb.y0 = static_cast<float>(baseline - l.asc);
      cb.y1 = static_cast<float>(baseline + l.desc);
      if (!out.clusters.empty() && out.clusters.back().line == cb.line && out.clusters.back().first == cluster) {
        ClusterBox& prev = out.clusters.back();  // more glyphs of the same cluster
        prev.x0 = std::min(prev.x0, cb.x0);
        prev.x1 = std::max(prev.x1, cb.x1);
      } else {
        out.clusters.push_back(cb);
      }
      x64 += g.adv64 + extra[k];
    }
  }
  out.text_x0 = 0;
  out.text_x1 = static_cast<double>(box_w64) / 64.0;
  return out;
}

}  // namespace text_detail
}  // namespace reelforge
