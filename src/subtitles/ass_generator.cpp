#include "subtitles/ass_generator.h"

extern "C" {
#include <ass/ass.h>
}

#include <algorithm>

#include "util/errors.h"

namespace reelforge {

namespace {
struct LibraryDeleter {
  void operator()(ASS_Library* p) const { ass_library_done(p); }
};
struct RendererDeleter {
  void operator()(ASS_Renderer* p) const { ass_renderer_done(p); }
};
struct TrackDeleter {
  void operator()(ASS_Track* p) const { ass_free_track(p); }
};

// libass messages (font fallbacks, parse warnings) are dropped: errors surface as no picture or
// as InputError from the constructor.
void quiet(int, const char*, va_list, void*) {}

// ASS_Image list -> premultiplied RGBA8 canvas ("over", bottom to top as libass lists them).
std::shared_ptr<RgbaImage> composite(const ASS_Image* img, int w, int h) {
  auto out = std::make_shared<RgbaImage>();
  out->width = w, out->height = h;
  out->pixels.assign(static_cast<size_t>(w) * static_cast<size_t>(h) * 4, 0);
  for (; img != nullptr; img = img->next) {
    const unsigned r = (img->color >> 24) & 0xFF, g = (img->color >> 16) & 0xFF, b = (img->color >> 8) & 0xFF;
    const unsigned opacity = 255 - (img->color & 0xFF);  // ASS alpha is transparency
    for (int y = 0; y < img->h; ++y) {
      const int cy = img->dst_y + y;
      if (cy < 0 || cy >= h) continue;
      for (int x = 0; x < img->w; ++x) {
        const int cx = img->dst_x + x;
        if (cx < 0 || cx >= w) continue;
        const unsigned a = (img->bitmap[static_cast<size_t>(y) * static_cast<size_t>(img->stride) + static_cast<size_t>(x)] * opacity + 127) / 255;
        if (a == 0) continue;
        uint8_t* p = &out->pixels[(static_cast<size_t>(cy) * static_cast<size_t>(w) + static_cast<size_t>(cx)) * 4];
        const unsigned k = 255 - a;
        p[0] = static_cast<uint8_t>((r * a + p[0] * k + 127) / 255);
        p[1] = static_cast<uint8_t>((g * a + p[1] * k + 127) / 255);
        p[2] = static_cast<uint8_t>((b * a + p[2] * k + 127) / 255);
        p[3] = static_cast<uint8_t>(a + (p[3] * k + 127) / 255);
      }
    }
  }
  return out;
}
}  // namespace

struct AssGenerator::Impl {
  std::unique_ptr<ASS_Library, LibraryDeleter> lib;
  std::unique_ptr<ASS_Renderer, RendererDeleter> renderer;
  std::unique_ptr<ASS_Track, TrackDeleter> track;
};

AssGenerator::AssGenerator(const std::string& script, int64_t fps_num, int64_t fps_den, int64_t offset_ms,
                           const std::string& default_font)
    : impl_(std::make_unique<Impl>()), fps_num_(fps_num), fps_den_(fps_den), offset_ms_(offset_ms) {
  if (fps_num <= 0 || fps_den <= 0) throw InputError("AssGenerator: fps must be a positive fraction");
  impl_->lib.reset(ass_library_init());
  if (!impl_->lib) throw InputError("libass: ass_library_init failed");
  ass_set_message_cb(impl_->lib.get(), quiet, nullptr);
  ass_set_extract_fonts(impl_->lib.get(), 1);  // fonts embedded in the script
  impl_->renderer.reset(ass_renderer_init(impl_->lib.get()));
  if (!impl_->renderer) throw InputError("libass: ass_renderer_init failed");
  ass_set_fonts(impl_->renderer.get(), default_font.empty() ? nullptr : default_font.c_str(), "sans-serif",
                ASS_FONTPROVIDER_AUTODETECT, nullptr, 1);
  std::string copy = script;  // ass_read_memory may modify its buffer
  impl_->track.reset(ass_read_memory(impl_->lib.get(), copy.data(), copy.size(), nullptr));
  if (!impl_->track) throw InputError("libass could not parse the subtitle script (not ASS/SSA?)");
}

AssGenerator::~AssGenerator() = default;

int64_t AssGenerator::script_ms(int64_t frame) const {
  // Exact integer floor of the frame time in ms, so an event starting at a frame's time shows on it.
  return (frame * fps_den_ * 1000) / fps_num_ - offset_ms_;
}

std::vector<AssEvent> AssGenerator::events() const {
  std::lock_guard lock(mutex_);
  std::vector<AssEvent> out;
  const ASS_Track* t = impl_->track.get();
  for (int i = 0; i < t->n_events; ++i)
    out.push_back({t->events[i].Start, t->events[i].Start + t->events[i].Duration});
  return out;
}

std::shared_ptr<const RgbaImage> AssGenerator::at(const GenerateRequest& req) const {
  std::lock_guard lock(mutex_);
  // Laid out for the size the layer is displayed at (the canvas, or the output under render
  // scale), as a player lays a script out for its video: PlayResX/Y map onto that frame, glyphs
  // are rasterised at it. A new size reconfigures the renderer (libass drops its caches).
  const int w = req.pixel_width, h = req.pixel_height;
  const bool resized = w != width_ || h != height_;
  if (resized) {
    ass_set_frame_size(impl_->renderer.get(), w, h);
    ass_set_storage_size(impl_->renderer.get(), w, h);
    width_ = w, height_ = h;
  }
  int changed = 0;
  const ASS_Image* img = ass_render_frame(impl_->renderer.get(), impl_->track.get(), script_ms(req.frame), &changed);
  // detect_change == 0: identical to the previous render at this size, so the same picture (not re-uploaded).
  if (has_last_ && !resized && changed == 0) return last_;
  last_ = img == nullptr ? nullptr : composite(img, w, h);
  has_last_ = true;
  return last_;
}

}  // namespace reelforge
