// SVG path data (SVG 1.1 §8.3 / SVG 2 "d" grammar) parsed into absolute move/line/cubic/close
// commands: relative commands resolved, H/V as lines, quadratics raised to cubics, elliptical
// arcs converted to cubics (SVG implementation notes, F.6 endpoint -> centre parameterisation).
#pragma once
#include <array>
#include <string>
#include <vector>

namespace reelforge {

struct PathOp {
  enum Kind { Move, Line, Cubic, Close } kind = Move;
  std::array<double, 6> p{};  // Move/Line: x, y; Cubic: x1, y1, x2, y2, x, y
};

// Throws InputError quoting the position and the text there for malformed data.
std::vector<PathOp> parse_svg_path(const std::string& d);

}  // namespace reelforge
