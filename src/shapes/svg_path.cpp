#include "shapes/svg_path.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

#include "util/errors.h"

namespace reelforge {

namespace {

class Reader {
 public:
  explicit Reader(const std::string& d) : d_(d) {}
  void skip() {
    while (i_ < d_.size() && (std::isspace(uint8_t(d_[i_])) || d_[i_] == ',')) ++i_;
  }
  bool done() { skip(); return i_ >= d_.size(); }
  bool at_number() {
    skip();
    if (i_ >= d_.size()) return false;
    const char c = d_[i_];
    return std::isdigit(uint8_t(c)) || c == '-' || c == '+' || c == '.';
  }
  char command() {
    skip();
    const char c = d_[i_];
    if (!std::isalpha(uint8_t(c))) fail("a command letter");
    ++i_;
    return c;
  }
  double number() {
    if (!at_number()) fail("a number");
    const char* start = d_.c_str() + i_;
    char* end = nullptr;
    const double v = std::strtod(start, &end);
    if (end == start || !std::isfinite(v)) fail("a number");
    i_ += size_t(end - start);
    return v;
  }
  bool flag() {  // arc flags may be written without separators ("a1 1 0 01 5 5")
    skip();
    if (i_ < d_.size() && (d_[i_] == '0' || d_[i_] == '1')) return d_[i_++] == '1';
    fail("an arc flag (0 or 1)");
  }
  [[noreturn]] void fail(const char* what) const {
    throw InputError("SVG path data: expected " + std::string(what) + " at character " + std::to_string(i_) +
                     " ('" + d_.substr(i_, 12) + "') of '" + d_.substr(0, 60) + (d_.size() > 60 ? "...'" : "'"));
  }

 private:
  const std::string& d_;
  size_t i_ = 0;
};

// Cubic Bezier segments approximating the arc from (x1, y1) to (x2, y2) (SVG F.6.5, F.6.6).
void arc_to(std::vector<PathOp>& out, double x1, double y1, double rx, double ry, double phi_deg, bool large,
            bool sweep, double x2, double y2) {
  if (x1 == x2 && y1 == y2) return;
  rx = std::abs(rx), ry = std::abs(ry);
  if (rx == 0 || ry == 0) {
    out.push_back({PathOp::Line, {x2, y2}});
    return;
  }
  const double phi = phi_deg * M_PI / 180, c = std::cos(phi), s = std::sin(phi);
  const double dx = (x1 - x2) / 2, dy = (y1 - y2) / 2;
  const double xp = c * dx + s * dy, yp = -s * dx + c * dy;
  const double lambda = xp * xp / (rx * rx) + yp * yp / (ry * ry);
  if (lambda > 1) rx *= std::sqrt(lambda), ry *= std::sqrt(lambda);  // radii too small: scaled up (F.6.6)
  const double num = rx * rx * ry * ry - rx * rx * yp * yp - ry * ry * xp * xp;
  const double den = rx * rx * yp * yp + ry * ry * xp * xp;
  double k = std::sqrt(std::max(0.0, num / den));
  if (large == sweep) k = -k;
  const double cxp = k * rx * yp / ry, cyp = -k * ry * xp / rx;
  const double cx = c * cxp - s * cyp + (x1 + x2) / 2, cy = s * cxp + c * cyp + (y1 + y2) / 2;
  auto angle = [](double ux, double uy, double vx, double vy) { return std::atan2(ux * vy - uy * vx, ux * vx + uy * vy); };
  const double t1 = angle(1, 0, (xp - cxp) / rx, (yp - cyp) / ry);
  double dt = angle((xp - cxp) / rx, (yp - cyp) / ry, (-xp - cxp) / rx, (-yp - cyp) / ry);
  if (!sweep && dt > 0) dt -= 2 * M_PI;
  if (sweep && dt < 0) dt += 2 * M_PI;
  const int n = int(std::ceil(std::abs(dt) / (M_PI / 2) - 1e-9));
  const double step = dt / n, alpha = 4.0 / 3.0 * std::tan(step / 4);
  auto point = [&](double t, double& x, double& y, double& tx, double& ty) {  // point and derivative
    const double ct = std::cos(t), st = std::sin(t);
    x = cx + rx * c * ct - ry * s * st, y = cy + rx * s * ct + ry * c * st;
    tx = -rx * c * st - ry * s * ct, ty = -rx * s * st + ry * c * ct;
  };
  double t = t1;
  for (int i = 0; i < n; ++i, t += step) {
    double ax, ay, atx, aty, bx, by, btx, bty;
    point(t, ax, ay, atx, aty);
    point(t + step, bx, by, btx, bty);
    if (i == n - 1) bx = x2, by = y2;
    out.push_back({PathOp::Cubic, {ax + alpha * atx, ay + alpha * aty, bx - alpha * btx, by - alpha * bty, bx, by}});
  }
}

}  // namespace

std::vector<PathOp> parse_svg_path(const std::string& d) {
  Reader r(d);
  std::vector<PathOp> out;
  double x = 0, y = 0, sx = 0, sy = 0;  // current point, subpath start
  double cx2 = 0, cy2 = 0;              // last control point (for S / T reflection)
  char prev = 0;
  if (r.done()) throw InputError("SVG path data is empty");
  char cmd = r.command();
  if (cmd != 'M' && cmd != 'm') r.fail("'M' or 'm' first");
  for (;;) {
    const bool rel = std::islower(uint8_t(cmd));
    const double ox = rel ? x : 0, oy = rel ? y : 0;
    switch (std::toupper(uint8_t(cmd))) {
      case 'M': {
        x = ox + r.number(), y = oy + r.number();
        sx = x, sy = y;
        out.push_back({PathOp::Move, {x, y}});
        cmd = rel ? 'l' : 'L';  // further pairs are line-tos
        cx2 = x, cy2 = y, prev = 'M';
        if (!r.at_number()) break;
        continue;
      }
      case 'Z':
        out.push_back({PathOp::Close, {}});
        x = sx, y = sy, cx2 = x, cy2 = y, prev = 'Z';
        break;
      case 'L': x = ox + r.number(), y = oy + r.number(); out.push_back({PathOp::Line, {x, y}}); cx2 = x, cy2 = y; break;
      case 'H': x = ox + r.number(); out.push_back({PathOp::Line, {x, y}}); cx2 = x, cy2 = y; break;
      case 'V': y = oy + r.number(); out.push_back({PathOp::Line, {x, y}}); cx2 = x, cy2 = y; break;
      case 'C': case 'S': {
        double x1, y1;
        if (std::toupper(uint8_t(cmd)) == 'C') {
          x1 = ox + r.number(), y1 = oy + r.number();
        } else {  // first control point: the previous curve's second one reflected
          const bool smooth = prev == 'C' || prev == 'S';
          x1 = smooth ? 2 * x - cx2 : x, y1 = smooth ? 2 * y - cy2 : y;
        }
        const double x2 = ox + r.number(), y2 = oy + r.number();
        x = ox + r.number(), y = oy + r.number();
        out.push_back({PathOp::Cubic, {x1, y1, x2, y2, x, y}});
        cx2 = x2, cy2 = y2;
        break;
      }
      case 'Q': case 'T': {
        double qx, qy;
        if (std::toupper(uint8_t(cmd)) == 'Q') {
          qx = ox + r.number(), qy = oy + r.number();
        } else {
          const bool smooth = prev == 'Q' || prev == 'T';
          qx = smooth ? 2 * x - cx2 : x, qy = smooth ? 2 * y - cy2 : y;
        }
        const double ex = ox + r.number(), ey = oy + r.number();
        // Degree elevation: cubic controls 2/3 of the way to the quadratic's control point.
        out.push_back({PathOp::Cubic, {x + 2.0 / 3 * (qx - x), y + 2.0 / 3 * (qy - y), ex + 2.0 / 3 * (qx - ex),
                                       ey + 2.0 / 3 * (qy - ey), ex, ey}});
        x = ex, y = ey, cx2 = qx, cy2 = qy;
        break;
      }
      case 'A': {
        const double rx = r.number(), ry = r.number(), rot = r.number();
        const bool large = r.flag(), sweep = r.flag();
        const double ex = ox + r.number(), ey = oy + r.number();
        arc_to(out, x, y, rx, ry, rot, large, sweep, ex, ey);
        x = ex, y = ey, cx2 = x, cy2 = y;
        break;
      }
      default:
        r.fail("a path command (M L H V C S Q T A Z)");
    }
    prev = char(std::toupper(uint8_t(cmd)));
    if (r.done()) break;
    if (!r.at_number()) cmd = r.command();
    else if (prev == 'Z') r.fail("a command after 'Z'");
  }
  return out;
}

}  // namespace reelforge
