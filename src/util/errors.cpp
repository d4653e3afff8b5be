#include "util/errors.h"

extern "C" {
#include <libavutil/error.h>
}

namespace reelforge {

std::string av_error_text(int err) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {0};
  av_strerror(err, buf, sizeof buf);
  return buf;
}

}  // namespace reelforge
