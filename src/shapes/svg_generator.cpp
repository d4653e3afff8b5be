#include "shapes/svg_generator.h"

#include <cairo.h>
#include <librsvg/rsvg.h>

#include "shapes/shape_raster.h"
#include "util/errors.h"

namespace reelforge {

struct SvgDoc {
  RsvgHandle* handle = nullptr;
  ~SvgDoc() {
    if (handle) g_object_unref(handle);
  }
};

namespace {
std::unique_ptr<SvgDoc> open_svg(const std::string& path, double& w, double& h) {
  GError* err = nullptr;
  auto doc = std::make_unique<SvgDoc>();
  doc->handle = rsvg_handle_new_from_file(path.c_str(), &err);
  if (!doc->handle) {
    const std::string msg = err ? err->message : "unknown error";
    if (err) g_error_free(err);
    throw MediaError("cannot read SVG '" + path + "': " + msg);
  }
  rsvg_handle_set_dpi(doc->handle, 96.0);
  gboolean has_w = false, has_h = false, has_vb = false;
  RsvgLength lw, lh;
  RsvgRectangle vb;
  rsvg_handle_get_intrinsic_dimensions(doc->handle, &has_w, &lw, &has_h, &lh, &has_vb, &vb);
  if (!rsvg_handle_get_intrinsic_size_in_pixels(doc->handle, &w, &h)) {
    if (!has_vb) throw MediaError("SVG '" + path + "' has no size: give its <svg> width/height or a viewBox");
    w = vb.width, h = vb.height;
  }
  if (!(w > 0 && h > 0)) throw MediaError("SVG '" + path + "' has an empty size");
  return doc;
}
}  // namespace

std::pair<double, double> svg_size(const std::string& path) {
  double w = 0, h = 0;
  open_svg(path, w, h);
  return {w, h};
}

SvgGenerator::SvgGenerator(const std::string& path) : CachedGenerator(8), path_(path) {
  doc_ = open_svg(path, width_, height_);
}

SvgGenerator::~SvgGenerator() = default;

std::vector<float> SvgGenerator::key(const GenerateRequest& req) const {
  const auto& r = req.rect;
  return {float(req.pixel_width), float(req.pixel_height), req.width, req.height, r[0], r[1], r[2], r[3]};
}

std::shared_ptr<const RgbaImage> SvgGenerator::render(const GenerateRequest& req) const {
  const int pw = req.pixel_width, ph = req.pixel_height;
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surf(
      cairo_image_surface_create(CAIRO_FORMAT_ARGB32, pw, ph), cairo_surface_destroy);
  std::unique_ptr<cairo_t, decltype(&cairo_destroy)> cr(cairo_create(surf.get()), cairo_destroy);
  // Stretched over the layer's box as image layers are (the box is the intrinsic size unless
  // the layer's width/height change its aspect).
  map_local_rect(cr.get(), width_, height_, req.width, req.height, req.rect, pw, ph);
  const RsvgRectangle viewport{0, 0, width_, height_};
  GError* err = nullptr;
  bool ok;
  {
    std::lock_guard lock(render_mutex_);
    ok = rsvg_handle_render_document(doc_->handle, cr.get(), &viewport, &err);
  }
  if (!ok) {
    const std::string msg = err ? err->message : "unknown error";
    if (err) g_error_free(err);
    throw MediaError("cannot render SVG '" + path_ + "': " + msg);
  }
  cairo_surface_flush(surf.get());
  auto out = std::make_shared<RgbaImage>();
  cairo_argb_to_rgba(cairo_image_surface_get_data(surf.get()), cairo_image_surface_get_stride(surf.get()), pw, ph, *out);
  return out;
}

}  // namespace reelforge
