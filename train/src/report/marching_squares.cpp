#include "report/marching_squares.hpp"

#include <array>
#include <cmath>

namespace tg::train::report::detail {

namespace {

// Grid edges are numbered: first the horizontal ones (i, j)-(i+1, j), then the vertical
// ones (i, j)-(i, j+1). Two segments that end on the same edge end at the same point.
class Edges {
 public:
  explicit Edges(const Grid& grid) : grid_(grid), horizontal_((grid.nx - 1) * grid.ny) {}
  std::int64_t count() const { return horizontal_ + grid_.nx * (grid_.ny - 1); }
  std::int64_t horizontal(std::int64_t i, std::int64_t j) const { return j * (grid_.nx - 1) + i; }
  std::int64_t vertical(std::int64_t i, std::int64_t j) const { return horizontal_ + j * grid_.nx + i; }

  // Where the level crosses edge e.
  Point crossing(std::int64_t e, double level) const {
    std::int64_t i0, j0, i1, j1;
    if (e < horizontal_) {
      i0 = e % (grid_.nx - 1);
      j0 = e / (grid_.nx - 1);
      i1 = i0 + 1;
      j1 = j0;
    } else {
      i0 = (e - horizontal_) % grid_.nx;
      j0 = (e - horizontal_) / grid_.nx;
      i1 = i0;
      j1 = j0 + 1;
    }
    const double v0 = grid_.at(i0, j0), v1 = grid_.at(i1, j1);
    const double t = v1 == v0 ? 0.5 : (level - v0) / (v1 - v0);
    return {static_cast<double>(i0) + t * static_cast<double>(i1 - i0),
            static_cast<double>(j0) + t * static_cast<double>(j1 - j0)};
  }

 private:
  const Grid& grid_;
  std::int64_t horizontal_;
};

struct Segment {
  std::int64_t from = 0, to = 0;  // edge ids
};

std::vector<Segment> cell_segments(const Grid& grid, const Edges& edges, double level) {
  std::vector<Segment> segments;
  for (std::int64_t j = 0; j + 1 < grid.ny; ++j) {
    for (std::int64_t i = 0; i + 1 < grid.nx; ++i) {
      // Corners counter-clockwise from the lower left; edge k joins corner k and k+1.
      const std::array<double, 4> v = {grid.at(i, j), grid.at(i + 1, j), grid.at(i + 1, j + 1), grid.at(i, j + 1)};
      if (!std::isfinite(v[0]) || !std::isfinite(v[1]) || !std::isfinite(v[2]) || !std::isfinite(v[3])) continue;
      const std::array<std::int64_t, 4> edge = {edges.horizontal(i, j), edges.vertical(i + 1, j),
                                                edges.horizontal(i, j + 1), edges.vertical(i, j)};
      std::array<bool, 4> above{};
      for (std::size_t k = 0; k < 4; ++k) above[k] = v[k] >= level;
      std::array<std::int64_t, 4> crossed{};
      std::size_t n = 0;
      for (std::size_t k = 0; k < 4; ++k)
        if (above[k] != above[(k + 1) % 4]) crossed[n++] = edge[k];
      if (n == 2) {
        segments.push_back({crossed[0], crossed[1]});
      } else if (n == 4) {
        // A saddle: if the centre is on the side of corner 0, the lines cut off corners 1
        // and 3 (edges 0-1 and 2-3); otherwise corners 0 and 2 (edges 3-0 and 1-2).
        const bool centre_above = (v[0] + v[1] + v[2] + v[3]) / 4 >= level;
        if (centre_above == above[0]) {
          segments.push_back({edge[0], edge[1]});
          segments.push_back({edge[2], edge[3]});
        } else {
          segments.push_back({edge[3], edge[0]});
          segments.push_back({edge[1], edge[2]});
        }
      }
    }
  }
  return segments;
}

}  // namespace

std::vector<std::vector<Point>> iso_lines(const Grid& grid, double level) {
  if (grid.nx < 2 || grid.ny < 2) return {};
  const Edges edges(grid);
  const std::vector<Segment> segments = cell_segments(grid, edges, level);
  // Each edge borders at most two cells, and a cell has at most one segment per edge.
  std::vector<std::array<std::int64_t, 2>> at_edge(static_cast<std::size_t>(edges.count()), {-1, -1});
  for (std::size_t s = 0; s < segments.size(); ++s)
    for (std::int64_t e : {segments[s].from, segments[s].to}) {
      auto& slots = at_edge[static_cast<std::size_t>(e)];
      slots[slots[0] < 0 ? 0 : 1] = static_cast<std::int64_t>(s);
    }

  std::vector<bool> used(segments.size(), false);
  std::vector<std::vector<Point>> lines;
  auto walk_from = [&](std::int64_t edge) {
    std::vector<Point> line{edges.crossing(edge, level)};
    for (;;) {
      const auto& slots = at_edge[static_cast<std::size_t>(edge)];
      std::int64_t next = -1;
      for (std::int64_t s : slots)
        if (s >= 0 && !used[static_cast<std::size_t>(s)]) next = s;
      if (next < 0) break;
      used[static_cast<std::size_t>(next)] = true;
      const Segment& seg = segments[static_cast<std::size_t>(next)];
      edge = seg.from == edge ? seg.to : seg.from;
      line.push_back(edges.crossing(edge, level));
    }
    if (line.size() > 1) lines.push_back(std::move(line));
  };
  // Open lines first, from an end (an edge with one segment), so none is cut in two;
  // what is left are closed loops.
  for (std::size_t e = 0; e < at_edge.size(); ++e)
    if (at_edge[e][0] >= 0 && at_edge[e][1] < 0 && !used[static_cast<std::size_t>(at_edge[e][0])])
      walk_from(static_cast<std::int64_t>(e));
  for (std::size_t s = 0; s < segments.size(); ++s)
    if (!used[s]) walk_from(segments[s].from);
  return lines;
}

}  // namespace tg::train::report::detail
