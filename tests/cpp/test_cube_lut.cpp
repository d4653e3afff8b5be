// .cube parsing (media/cube_lut.*): the table, the keywords, and errors that name file and line.
#include <doctest/doctest.h>

#include <string>

#include "media/cube_lut.h"
#include "util/errors.h"

using namespace reelforge;

namespace {
std::string error_of(const std::string& text) {
  try {
    parse_cube_lut(text, "t.cube");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("a 3D table with title, comments, domain and CRLF line ends") {
  const auto lut = parse_cube_lut(
      "# made by hand\r\nTITLE \"two\"\r\nLUT_3D_SIZE 2\r\nDOMAIN_MIN 0 0 0\r\nDOMAIN_MAX 1 2 1\r\n"
      "0 0 0\r\n1 0 0\r\n0 1 0\r\n1 1 0\r\n0 0 1\r\n1 0 1\r\n0 1 1\r\n1 1 1  # last\r\n",
      "t.cube");
  CHECK(lut->size3d == 2);
  CHECK(lut->size1d == 0);
  CHECK(lut->table.size() == 24);
  CHECK(lut->table[3] == 1.0f);  // second row: red varies fastest
  CHECK(lut->domain_max[1] == 2.0f);
}

TEST_CASE("a 1D table with Resolve's input range") {
  const auto lut = parse_cube_lut("LUT_1D_SIZE 3\nLUT_1D_INPUT_RANGE 0 4\n0 0 0\n0.5 0.5 0.5\n1 1 1\n", "t.cube");
  CHECK(lut->size1d == 3);
  CHECK(lut->domain_max[2] == 4.0f);
}

TEST_CASE("errors name the file and the line") {
  CHECK(error_of("LUT_3D_SIZE 2\n0 0 0\n1 0\n") == "t.cube line 3: table row: expected 3 numbers, got 2");
  CHECK(error_of("LUT_1D_SIZE 2\n0 0 0\n0 0 0\n1 1 1\n") == "t.cube line 4: more table rows than the size declares (2)");
  CHECK(error_of("LUT_1D_SIZE 2\nLUT_3D_SIZE 2\n") == "t.cube line 2: a second LUT size (a file holds one table)");
  CHECK(error_of("LUT_1D_SIZE 2\n0 0 0\nTITLE \"late\"\n") == "t.cube line 3: keyword 'TITLE' after the table data");
  CHECK(error_of("LUT_1D_SIZE 2.5\n") == "t.cube line 1: LUT_1D_SIZE must be an integer in 2..65536");
  CHECK(error_of("LUT_1D_SIZE 2\nDOMAIN_MIN 1 1 1\nDOMAIN_MAX 1 1 1\n0 0 0\n1 1 1\n").find("DOMAIN_MAX must be greater") !=
        std::string::npos);
  CHECK(error_of("TITLE \"nothing\"\n") == "t.cube: no LUT_1D_SIZE or LUT_3D_SIZE line (not a .cube LUT?)");
  CHECK(error_of("LUT_1D_SIZE 2\n0 0 nan\n").find("'nan' is not a number") != std::string::npos);
}

TEST_CASE("a missing file is MediaNotFound") {
  CHECK_THROWS_AS(load_cube_lut("/nonexistent/x.cube"), MediaNotFound);
}
