// Painting of laid-out text (rich_text.h): glyph coverage (FreeType, unhinted, subpixel pen),
// outline (FT_Stroker ring united with the fill), shadow (offset, separable Gaussian), rounded
// box (analytic coverage), composited premultiplied: box, shadow, outline, fill.
#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_GLYPH_H
#include FT_OUTLINE_H
#include FT_STROKER_H

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>

#include "text/rich_layout.h"
#include "text/rich_text.h"

namespace reelforge {
namespace {

using text_detail::FontSet;
using text_detail::Layout;

constexpr int kPad = 2;         // transparent border: AA edges unclipped, bilinear-safe
constexpr int kMaxDim = 16384;  // typical maximum GPU texture size

struct GlyphDeleter {
  void operator()(FT_Glyph g) const { FT_Done_Glyph(g); }
};
using GlyphPtr = std::unique_ptr<std::remove_pointer_t<FT_Glyph>, GlyphDeleter>;
struct StrokerDeleter {
  void operator()(FT_Stroker s) const { FT_Stroker_Done(s); }
};
using StrokerPtr = std::unique_ptr<std::remove_pointer_t<FT_Stroker>, StrokerDeleter>;

struct Coverage {  // an 8-bit mask placed in layout pixels
  int left = 0, top = 0, w = 0, h = 0;
  std::vector<uint8_t> cov;
};

struct GlyphInk {
  Coverage fill, stroke;
  Rgba8 color{};
  bool painted = false;
};

// FT_Glyph -> coverage at integer pen (ix, iy); empty when it has no pixels.
Coverage to_coverage(FT_Glyph& glyph, int64_t ix, int64_t iy) {
  Coverage c;
  if (glyph->format != FT_GLYPH_FORMAT_BITMAP && FT_Glyph_To_Bitmap(&glyph, FT_RENDER_MODE_NORMAL, nullptr, 1))
    return c;
  auto* bg = reinterpret_cast<FT_BitmapGlyph>(glyph);
  const FT_Bitmap& bm = bg->bitmap;
  if (bm.width == 0 || bm.rows == 0) return c;
  if (bm.pixel_mode != FT_PIXEL_MODE_GRAY && bm.pixel_mode != FT_PIXEL_MODE_MONO) return c;
  c.left = static_cast<int>(ix + bg->left);
  c.top = static_cast<int>(iy - bg->top);
  c.w = static_cast<int>(bm.width);
  c.h = static_cast<int>(bm.rows);
  c.cov.resize(static_cast<size_t>(c.w) * static_cast<size_t>(c.h));
  for (int r = 0; r < c.h; ++r) {
    const unsigned char* row = bm.pitch >= 0 ? bm.buffer + static_cast<ptrdiff_t>(r) * bm.pitch
                                             : bm.buffer + static_cast<ptrdiff_t>(c.h - 1 - r) * -bm.pitch;
    uint8_t* dst = &c.cov[static_cast<size_t>(r) * static_cast<size_t>(c.w)];
    if (bm.pixel_mode == FT_PIXEL_MODE_GRAY) std::copy(row, row + c.w, dst);
    else
      for (int k = 0; k < c.w; ++k) dst[k] = (row[k >> 3] & (0x80 >> (k & 7))) ? 255 : 0;
  }
  return c;
}

int64_t floor_div64(int64_t v) { return v >= 0 ? v / 64 : -((-v + 63) / 64); }

std::vector<GlyphInk> rasterise(const Layout& lay, FontSet& fonts, const std::vector<TextSpan>& spans,
                                const ParagraphStyle& st, FT_Stroker stroker) {
  std::vector<GlyphInk> out;
  out.reserve(lay.glyphs.size());
  for (const auto& g : lay.glyphs) {
    GlyphInk ink;
    ink.color = spans[g.span].color;
    ink.painted = st.paint_glyphs && g.cluster >= st.glyph_begin && (st.glyph_end < 0 || g.cluster < st.glyph_end);
    FT_Face face = fonts[g.span].face.get();
    // Integer part of the pen positions the bitmap, the fraction moves the outline (subpixel).
    const int64_t ix = floor_div64(g.x64), iy = floor_div64(g.y64);
    FT_Vector delta{static_cast<FT_Pos>(g.x64 - ix * 64), -static_cast<FT_Pos>(g.y64 - iy * 64)};
    FT_Set_Transform(face, nullptr, &delta);
    // Outlines first (embedded bitmaps ignore the transform); a glyph that fails is skipped.
    FT_Error err = FT_Load_Glyph(face, g.gid, FT_LOAD_NO_HINTING | FT_LOAD_NO_BITMAP);
    if (err) err = FT_Load_Glyph(face, g.gid, FT_LOAD_NO_HINTING);
    if (err) {
      out.push_back(std::move(ink));
      continue;
    }
    if (fonts[g.span].embolden && face->glyph->format == FT_GLYPH_FORMAT_OUTLINE)
      FT_Outline_Embolden(&face->glyph->outline, static_cast<FT_Pos>(std::llround(fonts[g.span].size_px * 64 / 24)));
    FT_Glyph raw = nullptr;
    if (FT_Get_Glyph(face->glyph, &raw) == 0) {
      GlyphPtr glyph(raw);
      if (stroker != nullptr && raw->format == FT_GLYPH_FORMAT_OUTLINE) {
        FT_Glyph s = nullptr;
        if (FT_Glyph_Copy(raw, &s) == 0) {
          // The ring of half-width r around the outline, united with the fill below: the glyph
          // grown by r.
          if (FT_Glyph_Stroke(&s, stroker, 1) == 0) {
            GlyphPtr sp(s);
            FT_Glyph sr = sp.release();
            ink.stroke = to_coverage(sr, ix, iy);
            sp.reset(sr);
          } else {
            FT_Done_Glyph(s);
          }
        }
      }
      FT_Glyph fr = glyph.release();
      ink.fill = to_coverage(fr, ix, iy);
      glyph.reset(fr);
    }
    out.push_back(std::move(ink));
  }
  for (size_t i = 0; i < fonts.size(); ++i) FT_Set_Transform(fonts[i].face.get(), nullptr, nullptr);
  return out;
}

struct Bounds {
  double x0 = std::numeric_limits<double>::max(), y0 = x0, x1 = -x0, y1 = -x0;
  void add(double a0, double b0, double a1, double b1) {
    x0 = std::min(x0, a0), y0 = std::min(y0, b0), x1 = std::max(x1, a1), y1 = std::max(y1, b1);
  }
  void add(const Coverage& c) {
    if (c.w > 0) add(c.left, c.top, c.left + c.w, c.top + c.h);
  }
};

// Premultiplied float canvas.
struct Canvas {
  int w = 0, h = 0;
  std::vector<float> px;  // RGBA, premultiplied, 0..1
  void over(size_t i, float r, float g, float b, float a) {
    float* p = &px[i * 4];
    const float k = 1.0f - a;
    p[0] = r + p[0] * k, p[1] = g + p[1] * k, p[2] = b + p[2] * k, p[3] = a + p[3] * k;
  }
  void over_mask(const std::vector<float>& m, const Rgba8& c) {
    const float r = c[0] / 255.0f, g = c[1] / 255.0f, b = c[2] / 255.0f, a = c[3] / 255.0f;
    for (size_t i = 0; i < m.size(); ++i)
      if (m[i] > 0) over(i, r * a * m[i], g * a * m[i], b * a * m[i], a * m[i]);
  }
};

// Union ("screen") of a coverage into a float mask at offset (ox, oy).
void unite(std::vector<float>& mask, int w, const Coverage& c, int ox, int oy) {
  for (int r = 0; r < c.h; ++r)
    for (int k = 0; k < c.w; ++k) {
      float& m = mask[static_cast<size_t>(c.top + oy + r) * static_cast<size_t>(w) + static_cast<size_t>(c.left + ox + k)];
      const float s = c.cov[static_cast<size_t>(r) * static_cast<size_t>(c.w) + static_cast<size_t>(k)] / 255.0f;
      m = m + s - m * s;
    }
}

void gaussian_blur(std::vector<float>& m, int w, int h, double sigma) {
  if (sigma <= 0) return;
  const int radius = static_cast<int>(std::ceil(3 * sigma));
  std::vector<float> k(static_cast<size_t>(2 * radius + 1));
  double sum = 0;
  for (int i = -radius; i <= radius; ++i) sum += k[static_cast<size_t>(i + radius)] = static_cast<float>(std::exp(-0.5 * i * i / (sigma * sigma)));
  for (float& v : k) v = static_cast<float>(v / sum);
  std::vector<float> tmp(m.size(), 0);
  auto at = [w](int x, int y) { return static_cast<size_t>(y) * static_cast<size_t>(w) + static_cast<size_t>(x); };
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      float acc = 0;
      for (int i = std::max(-radius, -x); i <= std::min(radius, w - 1 - x); ++i) acc += k[static_cast<size_t>(i + radius)] * m[at(x + i, y)];
      tmp[at(x, y)] = acc;
    }
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      float acc = 0;
      for (int i = std::max(-radius, -y); i <= std::min(radius, h - 1 - y); ++i) acc += k[static_cast<size_t>(i + radius)] * tmp[at(x, y + i)];
      m[at(x, y)] = acc;
    }
}

// Rounded rectangle coverage from its signed distance at pixel centres (1 px anti-aliasing ramp).
void paint_box(Canvas& cv, double x0, double y0, double x1, double y1, double radius, const Rgba8& c) {
  const double cx = (x0 + x1) / 2, cy = (y0 + y1) / 2, hx = (x1 - x0) / 2, hy = (y1 - y0) / 2;
  const double r = std::min({radius, hx, hy});
  std::vector<float> m(static_cast<size_t>(cv.w) * static_cast<size_t>(cv.h), 0);
  for (int y = 0; y < cv.h; ++y)
    for (int x = 0; x < cv.w; ++x) {
      const double qx = std::abs(x + 0.5 - cx) - (hx - r), qy = std::abs(y + 0.5 - cy) - (hy - r);
      const double d = std::hypot(std::max(qx, 0.0), std::max(qy, 0.0)) + std::min(std::max(qx, qy), 0.0) - r;
      m[static_cast<size_t>(y) * static_cast<size_t>(cv.w) + static_cast<size_t>(x)] = static_cast<float>(std::clamp(0.5 - d, 0.0, 1.0));
    }
  cv.over_mask(m, c);
}

void check_style(const std::vector<TextSpan>& spans, const ParagraphStyle& st) {
  auto bad = [](const std::string& msg) { throw std::invalid_argument("render_text: " + msg); };
  auto finite_in = [&](double v, double lo, double hi, const char* name) {
    if (!std::isfinite(v) || v < lo || v > hi)
      bad(std::string(name) + " must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + std::to_string(v));
  };
  if (spans.empty()) bad("no text spans");
  for (const TextSpan& s : spans)
    if (!std::isfinite(s.size_px) || s.size_px <= 0 || s.size_px > 10000) bad("size_px must be in (0, 10000]");
  if (!std::isfinite(st.line_height) || st.line_height <= 0 || st.line_height > 100) bad("line_spacing must be in (0, 100]");
  finite_in(st.max_width, 0, kMaxDim, "max_width");
  finite_in(st.letter_spacing, -1000, 1000, "letter_spacing");
  finite_in(st.stroke_width, 0, 1000, "stroke_width");
  finite_in(st.shadow_dx, -1000, 1000, "shadow dx");
  finite_in(st.shadow_dy, -1000, 1000, "shadow dy");
  finite_in(st.shadow_blur, 0, 1000, "shadow blur");
  finite_in(st.box_padding, 0, 1000, "background padding");
  finite_in(st.box_radius, 0, 10000, "background radius");
}

}  // namespace

RichTextImage render_rich_text(const std::vector<TextSpan>& spans, const ParagraphStyle& st) {
  check_style(spans, st);
  std::vector<uint32_t> cps, span_of;
  for (size_t s = 0; s < spans.size(); ++s) {
    for (uint32_t cp : decode_utf8_strict(spans[s].utf8)) {
      cps.push_back(cp);
      span_of.push_back(static_cast<uint32_t>(s));
    }
  }
  if (cps.empty()) throw std::invalid_argument("text is empty");

  FontSet fonts(spans);
  const Layout lay = text_detail::lay_out(cps, span_of, fonts, st);
  StrokerPtr stroker;
  if (st.stroke_width > 0) {
    FT_Stroker raw = nullptr;
    // The stroker needs a library handle; any face's will do.
    if (FT_Stroker_New(fonts[0].face->glyph->library, &raw) == 0) {
      stroker.reset(raw);
      FT_Stroker_Set(raw, static_cast<FT_Fixed>(std::llround(st.stroke_width * 64)), FT_STROKER_LINECAP_ROUND,
                     FT_STROKER_LINEJOIN_ROUND, 0);
    }
  }
  const std::vector<GlyphInk> inks = rasterise(lay, fonts, spans, st, stroker.get());

  // Bounds: the text box, the box, all ink (painted or not: pieces of one text share coordinates)
  // and the shadow's reach.
  const bool has_box = st.box_color[3] > 0;
  const bool has_shadow = st.shadow_color[3] > 0;
  const double pad = st.box_padding;
  Bounds b, ink;
  b.add(lay.text_x0, lay.text_y0, lay.text_x1, lay.text_y1);
  if (has_box) b.add(lay.text_x0 - pad, lay.text_y0 - pad, lay.text_x1 + pad, lay.text_y1 + pad);
  for (const GlyphInk& g : inks) ink.add(g.fill), ink.add(g.stroke);
  const double sdx = std::round(st.shadow_dx), sdy = std::round(st.shadow_dy);
  const double sigma = st.shadow_blur / 2;
  if (ink.x1 > ink.x0) b.add(ink.x0, ink.y0, ink.x1, ink.y1);
  Bounds inked;  // text box and ink, without box padding or shadow
  inked.add(lay.text_x0, lay.text_y0, lay.text_x1, lay.text_y1);
  if (ink.x1 > ink.x0) inked.add(ink.x0, ink.y0, ink.x1, ink.y1);
  if (ink.x1 > ink.x0) {
    if (has_shadow) {
      const double reach = std::ceil(3 * sigma);
      b.add(ink.x0 + sdx - reach, ink.y0 + sdy - reach, ink.x1 + sdx + reach, ink.y1 + sdy + reach);
    }
  }
  const auto min_x = static_cast<int64_t>(std::floor(b.x0)), min_y = static_cast<int64_t>(std::floor(b.y0));
  const int64_t w64 = static_cast<int64_t>(std::ceil(b.x1)) - min_x + 2 * kPad;
  const int64_t h64 = static_cast<int64_t>(std::ceil(b.y1)) - min_y + 2 * kPad;
  if (w64 > kMaxDim || h64 > kMaxDim)
    throw std::invalid_argument("render_text: rendered text would be " + std::to_string(w64) + "x" + std::to_string(h64) +
                                " px, over the " + std::to_string(kMaxDim) + " px limit");
  const int ox = static_cast<int>(kPad - min_x), oy = static_cast<int>(kPad - min_y);

  Canvas cv;
  cv.w = static_cast<int>(w64), cv.h = static_cast<int>(h64);
  const size_t n = static_cast<size_t>(cv.w) * static_cast<size_t>(cv.h);
  cv.px.assign(n * 4, 0.0f);
  if (has_box && st.paint_box)
    paint_box(cv, lay.text_x0 - pad + ox, lay.text_y0 - pad + oy, lay.text_x1 + pad + ox, lay.text_y1 + pad + oy,
              st.box_radius, st.box_color);

  // Fill: coverage united per pixel, colour of whichever glyph adds the coverage (joined Arabic
  // letters' overlapping edges don't double up).
  std::vector<float> fill_a(n, 0), fill_rgb(n * 3, 0), stroke(n, 0);
  for (const GlyphInk& g : inks) {
    if (!g.painted) continue;
    const Coverage& c = g.fill;
    const float ca = g.color[3] / 255.0f;
    for (int r = 0; r < c.h; ++r)
      for (int k = 0; k < c.w; ++k) {
        const size_t i = static_cast<size_t>(c.top + oy + r) * static_cast<size_t>(cv.w) + static_cast<size_t>(c.left + ox + k);
        const float s = ca * c.cov[static_cast<size_t>(r) * static_cast<size_t>(c.w) + static_cast<size_t>(k)] / 255.0f;
        const float na = fill_a[i] + s - fill_a[i] * s, add = na - fill_a[i];
        for (int ch = 0; ch < 3; ++ch) fill_rgb[i * 3 + static_cast<size_t>(ch)] += add * (g.color[static_cast<size_t>(ch)] / 255.0f);
        fill_a[i] = na;
      }
    if (stroker) {
      unite(stroke, cv.w, g.stroke, ox, oy);
      unite(stroke, cv.w, g.fill, ox, oy);
    }
  }
  if (has_shadow) {
    // The shadow is cast by the shape (outline included), not by the colour's alpha.
    std::vector<float> shape = stroke;
    if (!stroker)
      for (const GlyphInk& g : inks)
        if (g.painted) unite(shape, cv.w, g.fill, ox, oy);
    std::vector<float> sh(n, 0);
    const int dx = static_cast<int>(sdx), dy = static_cast<int>(sdy);
    for (int y = std::max(0, dy); y < std::min(cv.h, cv.h + dy); ++y)
      for (int x = std::max(0, dx); x < std::min(cv.w, cv.w + dx); ++x)
        sh[static_cast<size_t>(y) * static_cast<size_t>(cv.w) + static_cast<size_t>(x)] =
            shape[static_cast<size_t>(y - dy) * static_cast<size_t>(cv.w) + static_cast<size_t>(x - dx)];
    gaussian_blur(sh, cv.w, cv.h, sigma);
    cv.over_mask(sh, st.shadow_color);
  }
  if (stroker) cv.over_mask(stroke, st.stroke_color);
  for (size_t i = 0; i < n; ++i)
    if (fill_a[i] > 0) cv.over(i, fill_rgb[i * 3], fill_rgb[i * 3 + 1], fill_rgb[i * 3 + 2], fill_a[i]);

  RichTextImage img;
  img.width = cv.w, img.height = cv.h;
  img.pixels.resize(n * 4);
  for (size_t i = 0; i < n; ++i) {
    const float a = std::clamp(cv.px[i * 4 + 3], 0.0f, 1.0f);
    const auto a8 = static_cast<uint8_t>(std::lround(a * 255.0f));
    img.pixels[i * 4 + 3] = a8;
    for (size_t ch = 0; ch < 3; ++ch)  // keep the premultiplied invariant c <= a after rounding
      img.pixels[i * 4 + ch] = std::min(a8, static_cast<uint8_t>(std::lround(std::clamp(cv.px[i * 4 + ch], 0.0f, 1.0f) * 255.0f)));
  }
  img.baseline_y = lay.first_baseline + oy;
  img.text_x0 = lay.text_x0 + ox, img.text_y0 = lay.text_y0 + oy, img.text_x1 = lay.text_x1 + ox, img.text_y1 = lay.text_y1 + oy;
  const double bp = has_box ? pad : 0;
  img.box_x0 = img.text_x0 - bp, img.box_y0 = img.text_y0 - bp, img.box_x1 = img.text_x1 + bp, img.box_y1 = img.text_y1 + bp;
  img.ink_x0 = std::floor(inked.x0) + ox, img.ink_y0 = std::floor(inked.y0) + oy;
  img.ink_x1 = std::ceil(inked.x1) + ox, img.ink_y1 = std::ceil(inked.y1) + oy;
  img.lines = lay.lines;
  img.clusters = lay.clusters;
  for (ClusterBox& c : img.clusters) {
    c.x0 += static_cast<float>(ox), c.x1 += static_cast<float>(ox);
    c.y0 += static_cast<float>(oy), c.y1 += static_cast<float>(oy);
  }
  return img;
}

}  // namespace reelforge
