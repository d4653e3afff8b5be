// make_linear_image's condition for writing a linear image through a buffer alias (the shader's
// 16-texel blocks must stay within each row), and what a texel view covers (src/gpu/vk_resources.h).
#include <doctest/doctest.h>

#include "gpu/vk_resources.h"

using namespace reelforge;

TEST_CASE("a row pitch holds the width rounded up to whole 16-texel runs, in whole runs") {
  // RGBA8 (4 bytes), 16-texel runs of 64 bytes.
  CHECK(linear_rows_fit(1280 * 4, 1280, 4, 16));      // exact
  CHECK(linear_rows_fit(208 * 4, 202, 4, 16));        // 202 texels -> 13 runs = 208 texels
  CHECK(linear_rows_fit(256 * 4, 202, 4, 16));        // a longer pitch is fine
  CHECK_FALSE(linear_rows_fit(202 * 4, 202, 4, 16));  // the last block would reach the next row
  CHECK_FALSE(linear_rows_fit(204 * 4, 202, 4, 16));  // not a whole number of runs
  CHECK_FALSE(linear_rows_fit(200 * 4, 202, 4, 16));  // shorter than a row
  CHECK(linear_rows_fit(16 * 4, 1, 4, 16));
}

TEST_CASE("a texel view covers whole texels of its buffer, up to the device's limit") {
  CHECK(texel_view_bytes(1000, 16, 1u << 27) == 992);               // the partial texel is left out
  CHECK(texel_view_bytes(4096, 16, 1u << 27) == 4096);
  CHECK(texel_view_bytes(VkDeviceSize(1) << 30, 16, 65536) == 1u << 20);  // Vulkan's minimum limit
  CHECK(texel_view_bytes(15, 16, 1u << 27) == 0);
}
