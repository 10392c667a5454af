#pragma once
// A series as SVG path data: broken where a point is left out, and decimated so a
// 10 000-point series costs no more than the pixels it covers.
#include <string>
#include <vector>

#include "report/svg_canvas.hpp"

namespace tg::train::report::detail {

// How many points one series may keep after decimation.
constexpr std::size_t max_points_per_series = 2000;

enum class Decimation {
  // For curves over x (loss against iteration): of each run of points that fall in the
  // same pixel column, only the lowest and the highest are kept (in their order), plus the
  // ends, so spikes survive and a series never has more than ~2 points per column.
  pixel_columns,
  // For paths in the plane (trajectories): a point closer than half a pixel to the last
  // kept one is dropped.
  pixel_distance,
};

// The parts of the polyline (gaps as in polyline_path) inside the rectangle [low, high],
// cut exactly at its border (Liang-Barsky), so a path that runs off to 1e30 keeps its
// direction and its coordinates stay small.
std::vector<Point> clip_to_rectangle(const std::vector<Point>& points, Point low, Point high);
bool inside_rectangle(Point p, Point low, Point high);

// points are in pixels; a point with a non-finite coordinate is a gap (the line breaks
// there). Isolated points become dots (zero-length segments drawn with round caps).
// Beyond max_points_per_series after decimation, every k-th point is kept.
std::string polyline_path(const std::vector<Point>& points, Decimation decimation);

}  // namespace tg::train::report::detail
