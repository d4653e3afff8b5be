// ASS/SSA subtitles rendered by libass as a generated layer (generated/image_generator.h): the
// picture at a frame is the script rendered at the frame's time over the whole canvas, with the
// script's own styles, positioning (\pos, \an, margins), effects and karaoke tags (\k, \kf, \ko).
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "generated/image_generator.h"

namespace reelforge {

struct AssEvent {
  int64_t start_ms = 0, end_ms = 0;  // script time, [start, end)
};

class AssGenerator : public ImageGenerator {
 public:
  // `script`: the file's text (UTF-8). The picture covers the layer and is rendered at its
  // displayed size, req.pixel_width x req.pixel_height (the script's PlayResX/Y scaled to it, as
  // players do for their video size): a layer over the canvas is laid out for the output size,
  // also under render scale. Frame i is rendered at script time
  // floor(i * fps_den * 1000 / fps_num) - offset_ms. `default_font`: used where a style's font
  // is not found by fontconfig. Throws InputError if libass cannot parse the script.
  AssGenerator(const std::string& script, int64_t fps_num, int64_t fps_den, int64_t offset_ms,
               const std::string& default_font);
  ~AssGenerator() override;
  std::shared_ptr<const RgbaImage> at(const GenerateRequest& req) const override;
  std::vector<AssEvent> events() const;
  int64_t script_ms(int64_t frame) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int64_t fps_num_, fps_den_, offset_ms_;
  mutable std::mutex mutex_;  // libass renderers are not thread-safe
  mutable int width_ = 0, height_ = 0;  // the renderer's frame size (that of the last picture)
  mutable std::shared_ptr<const RgbaImage> last_;
  mutable bool has_last_ = false;
};

}  // namespace reelforge
