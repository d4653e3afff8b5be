#include "media/orientation.h"

#include <cmath>

extern "C" {
#include <libavformat/avformat.h>
#include <libavutil/display.h>
}

namespace reelforge {

Orientation orientation_from_display_matrix(const int32_t* m) {
  Orientation o;
  if (!m) return o;
  // Clockwise angle, as fftools' get_rotation(): -round(counter-clockwise angle), into [0, 360).
  double theta = -std::round(av_display_rotation_get(m));
  theta -= 360 * std::floor(theta / 360 + 0.9 / 360);
  // The filters ffmpeg inserts for each case, written as the display -> decoded map.
  if (std::fabs(theta - 90) < 1.0) {
    if (m[3] > 0) o = {true, false, false};  // transpose=cclock_flip
    else o = {true, false, true};            // transpose=clock
    o.rotation = 90;
  } else if (std::fabs(theta - 180) < 1.0) {
    o = {false, m[0] < 0, m[4] < 0};  // hflip and/or vflip
    o.rotation = 180;
  } else if (std::fabs(theta - 270) < 1.0) {
    if (m[3] < 0) o = {true, true, true};  // transpose=clock_flip
    else o = {true, true, false};          // transpose=cclock
    o.rotation = 270;
  } else if (std::fabs(theta) < 1.0) {
    o.flip_v = m[4] < 0;  // vflip
  }
  return o;
}

Orientation stream_orientation(const AVStream* st) {
  size_t size = 0;
  const uint8_t* m = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &size);
  return orientation_from_display_matrix(m && size >= 9 * sizeof(int32_t) ? reinterpret_cast<const int32_t*>(m) : nullptr);
}

}  // namespace reelforge
