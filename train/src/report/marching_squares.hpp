#pragma once
// Iso-lines of a sampled function by marching squares (Lorensen & Cline's idea in 2-D):
// each grid cell whose corners lie on both sides of the level gets a segment between the
// crossed edges (linear interpolation along each edge), and segments that share an edge
// are joined into polylines.
#include <cstdint>
#include <vector>

#include "report/svg_canvas.hpp"

namespace tg::train::report::detail {

// Samples on an nx x ny lattice; value(i, j) is row-major with i along x.
struct Grid {
  std::int64_t nx = 0, ny = 0;
  std::vector<double> values{};
  double at(std::int64_t i, std::int64_t j) const { return values[static_cast<std::size_t>(j * nx + i)]; }
};

// The level set {value = level} as polylines in lattice coordinates (x = i, y = j,
// fractional). A cell with a non-finite corner is left out. Saddle cells are resolved by
// the mean of the four corners.
std::vector<std::vector<Point>> iso_lines(const Grid& grid, double level);

}  // namespace tg::train::report::detail
