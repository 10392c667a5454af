#include "report/polyline.hpp"

#include <algorithm>
#include <cmath>

namespace tg::train::report::detail {

namespace {

bool is_gap(const Point& p) { return !std::isfinite(p.x) || !std::isfinite(p.y); }

std::vector<Point> by_pixel_columns(const std::vector<Point>& run) {
  std::vector<Point> kept;
  std::size_t begin = 0;
  while (begin < run.size()) {
    std::size_t end = begin + 1;
    const double column = std::floor(run[begin].x);
    while (end < run.size() && std::floor(run[end].x) == column) ++end;
    std::size_t lowest = begin, highest = begin;
    for (std::size_t i = begin; i < end; ++i) {
      if (run[i].y < run[lowest].y) lowest = i;
      if (run[i].y > run[highest].y) highest = i;
    }
    std::vector<std::size_t> chosen{std::min(lowest, highest), std::max(lowest, highest)};
    if (begin == 0) chosen.insert(chosen.begin(), 0);
    if (end == run.size()) chosen.push_back(run.size() - 1);
    std::size_t previous = run.size();
    for (std::size_t i : chosen) {
      if (i != previous) kept.push_back(run[i]);
      previous = i;
    }
    begin = end;
  }
  return kept;
}

std::vector<Point> by_pixel_distance(const std::vector<Point>& run) {
  std::vector<Point> kept{run.front()};
  for (std::size_t i = 1; i < run.size(); ++i) {
    const double dx = run[i].x - kept.back().x, dy = run[i].y - kept.back().y;
    if (dx * dx + dy * dy >= 0.25 || i + 1 == run.size()) kept.push_back(run[i]);
  }
  return kept;
}

// Every k-th point and the last, at most limit (>= 2) in all.
std::vector<Point> every_kth(const std::vector<Point>& run, std::size_t limit) {
  if (run.size() <= limit) return run;
  const std::size_t k = (run.size() - 1 + limit - 2) / (limit - 1);
  std::vector<Point> kept;
  for (std::size_t i = 0; i < run.size() - 1; i += k) kept.push_back(run[i]);
  kept.push_back(run.back());
  return kept;
}

// The part t in [t0, t1] of the segment a + t (b - a) inside the rectangle, if any.
bool clip_segment(Point a, Point b, Point low, Point high, double& t0, double& t1) {
  t0 = 0;
  t1 = 1;
  const double dx = b.x - a.x, dy = b.y - a.y;
  const double p[4] = {-dx, dx, -dy, dy};
  const double q[4] = {a.x - low.x, high.x - a.x, a.y - low.y, high.y - a.y};
  for (int k = 0; k < 4; ++k) {
    if (p[k] == 0) {
      if (q[k] < 0) return false;
      continue;
    }
    const double r = q[k] / p[k];
    if (p[k] < 0) t0 = std::max(t0, r);
    else t1 = std::min(t1, r);
    if (t0 > t1) return false;
  }
  return true;
}

void append_point(std::string& data, char command, Point p) {
  data += command;
  data += number(p.x);
  data += ',';
  data += number(p.y);
}

}  // namespace

bool inside_rectangle(Point p, Point low, Point high) {
  return p.x >= low.x && p.x <= high.x && p.y >= low.y && p.y <= high.y;
}

std::vector<Point> clip_to_rectangle(const std::vector<Point>& points, Point low, Point high) {
  const Point gap{NAN, NAN};
  std::vector<Point> clipped;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (is_gap(points[i])) continue;
    const bool isolated = (i == 0 || is_gap(points[i - 1])) && (i + 1 == points.size() || is_gap(points[i + 1]));
    if (isolated) {
      if (inside_rectangle(points[i], low, high)) clipped.insert(clipped.end(), {points[i], gap});
      continue;
    }
    if (i + 1 == points.size() || is_gap(points[i + 1])) continue;
    const Point a = points[i], b = points[i + 1];
    double t0 = 0, t1 = 1;
    if (!clip_segment(a, b, low, high, t0, t1)) continue;
    // The ends exactly, when not cut, so that consecutive segments join.
    const Point from = t0 == 0 ? a : Point{a.x + t0 * (b.x - a.x), a.y + t0 * (b.y - a.y)};
    const Point to = t1 == 1 ? b : Point{a.x + t1 * (b.x - a.x), a.y + t1 * (b.y - a.y)};
    const bool continues = !clipped.empty() && clipped.back().x == from.x && clipped.back().y == from.y;
    if (!continues) {
      if (!clipped.empty()) clipped.push_back(gap);
      clipped.push_back(from);
    }
    clipped.push_back(to);
  }
  return clipped;
}

std::string polyline_path(const std::vector<Point>& points, Decimation decimation) {
  std::vector<std::vector<Point>> runs;
  std::size_t total = 0;
  for (std::size_t i = 0; i < points.size();) {
    if (is_gap(points[i])) {
      ++i;
      continue;
    }
    std::vector<Point> run;
    for (; i < points.size() && !is_gap(points[i]); ++i) run.push_back(points[i]);
    run = decimation == Decimation::pixel_columns ? by_pixel_columns(run) : by_pixel_distance(run);
    total += run.size();
    runs.push_back(std::move(run));
  }
  std::string data;
  for (auto& run : runs) {
    if (total > max_points_per_series)
      run = every_kth(run, std::max<std::size_t>(2, run.size() * max_points_per_series / total));
    // "M x,y L x,y x,y ...": after L, further pairs are implicit line-tos.
    append_point(data, 'M', run[0]);
    if (run.size() == 1) data += "h0";
    for (std::size_t i = 1; i < run.size(); ++i) append_point(data, i == 1 ? 'L' : ' ', run[i]);
  }
  return data;
}

}  // namespace tg::train::report::detail
