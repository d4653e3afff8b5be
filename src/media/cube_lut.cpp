#include "media/cube_lut.h"

#include <cmath>
#include <fstream>
#include <sstream>
#include <vector>

#include "util/errors.h"

namespace reelforge {

namespace {
struct Parser {
  const std::string& path;
  int line = 0;
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(path + " line " + std::to_string(line) + ": " + what);
  }
  // Exactly `n` finite numbers and nothing else on the rest of the line.
  std::vector<float> numbers(std::istringstream& in, int n, const std::string& what) const {
    std::vector<float> v;
    std::string tok;
    while (in >> tok) {
      char* end = nullptr;
      const float x = std::strtof(tok.c_str(), &end);
      if (end == tok.c_str() || *end || !std::isfinite(x)) fail(what + ": '" + tok + "' is not a number");
      v.push_back(x);
    }
    if (int(v.size()) != n) fail(what + ": expected " + std::to_string(n) + " numbers, got " + std::to_string(v.size()));
    return v;
  }
};
}  // namespace

std::shared_ptr<const CubeLut> parse_cube_lut(const std::string& text, const std::string& path) {
  auto lut = std::make_shared<CubeLut>();
  lut->path = path;
  Parser p{path};
  std::istringstream all(text);
  std::string raw;
  size_t expected = 0;
  while (std::getline(all, raw)) {
    ++p.line;
    if (!raw.empty() && raw.back() == '\r') raw.pop_back();
    const size_t hash = raw.find('#');
    std::istringstream in(raw.substr(0, hash));
    std::string key;
    if (!(in >> key)) continue;  // blank or comment
    const bool data = key.find_first_not_of("0123456789+-.eE") == std::string::npos;
    if (data) {
      if (!expected) p.fail("table data before LUT_1D_SIZE or LUT_3D_SIZE");
      std::istringstream row(raw.substr(0, hash));
      const auto v = p.numbers(row, 3, "table row");
      if (lut->table.size() / 3 >= expected) p.fail("more table rows than the size declares (" + std::to_string(expected) + ")");
      lut->table.insert(lut->table.end(), v.begin(), v.end());
    } else if (!lut->table.empty()) {
      p.fail("keyword '" + key + "' after the table data");
    } else if (key == "TITLE") {
      continue;
    } else if (key == "LUT_1D_SIZE" || key == "LUT_3D_SIZE") {
      if (expected) p.fail("a second LUT size (a file holds one table)");
      const float n = p.numbers(in, 1, key)[0];
      const bool is3d = key == "LUT_3D_SIZE";
      const int lo = 2, hi = is3d ? 256 : 65536;
      if (n != std::floor(n) || n < lo || n > hi)
        p.fail(key + " must be an integer in " + std::to_string(lo) + ".." + std::to_string(hi));
      (is3d ? lut->size3d : lut->size1d) = int(n);
      expected = is3d ? size_t(n) * size_t(n) * size_t(n) : size_t(n);
    } else if (key == "DOMAIN_MIN" || key == "DOMAIN_MAX") {
      const auto v = p.numbers(in, 3, key);
      auto& d = key == "DOMAIN_MIN" ? lut->domain_min : lut->domain_max;
      d = {v[0], v[1], v[2]};
    } else if (key == "LUT_1D_INPUT_RANGE" || key == "LUT_3D_INPUT_RANGE") {  // Resolve
      const auto v = p.numbers(in, 2, key);
      lut->domain_min = {v[0], v[0], v[0]};
      lut->domain_max = {v[1], v[1], v[1]};
    } else {
      p.fail("unknown keyword '" + key + "'");
    }
  }
  if (!expected) throw InputError(path + ": no LUT_1D_SIZE or LUT_3D_SIZE line (not a .cube LUT?)");
  if (lut->table.size() / 3 != expected)
    throw InputError(path + " line " + std::to_string(p.line) + ": the table ends after " +
                     std::to_string(lut->table.size() / 3) + " rows, the size declares " + std::to_string(expected));
  for (int c = 0; c < 3; ++c)
    if (!(lut->domain_max[size_t(c)] > lut->domain_min[size_t(c)]))
      throw InputError(path + ": DOMAIN_MAX must be greater than DOMAIN_MIN in every channel");
  return lut;
}

std::shared_ptr<const CubeLut> load_cube_lut(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw MediaNotFound("LUT file not found or unreadable: '" + path + "'");
  std::ostringstream s;
  s << f.rdbuf();
  return parse_cube_lut(s.str(), path);
}

}  // namespace reelforge
