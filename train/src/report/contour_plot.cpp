// ContourPlot: iso-lines of f over a rectangle with optimizer paths drawn over them.
#include <fmt/format.h>

#include <tapegrad/error.hpp>

#include <algorithm>
#include <cmath>
#include <utility>

#include "report/axis.hpp"
#include "report/colors.hpp"
#include "report/marching_squares.hpp"
#include "report/plot_frame.hpp"
#include "report/polyline.hpp"
#include <tapegrad/train/report/report.hpp>
#include "report/series_check.hpp"
#include "report/svg_canvas.hpp"

namespace tg::train::report {

using namespace detail;

namespace {

constexpr std::int64_t grid_points = 101;  // per side: 100 x 100 cells
// Log-spaced levels cover this many decades of f - min f below its largest value.
constexpr double log_level_decades = 3;
constexpr const char* clip_id = "@clip@";
constexpr int max_levels = 100;  // each level is a pass over the grid; more lines would merge anyway

bool is_point(const Point& p) { return std::isfinite(p.x) && std::isfinite(p.y); }

void validate(const ContourPlot& plot) {
  TG_CHECK(static_cast<bool>(plot.f), "ContourPlot '{}': f is empty; give the function whose level sets to draw",
           plot.title);
  TG_CHECK(std::isfinite(plot.x_min) && std::isfinite(plot.x_max) && plot.x_min < plot.x_max,
           "ContourPlot '{}': x_min ({}) must be less than x_max ({}), both finite", plot.title, plot.x_min,
           plot.x_max);
  TG_CHECK(std::isfinite(plot.y_min) && std::isfinite(plot.y_max) && plot.y_min < plot.y_max,
           "ContourPlot '{}': y_min ({}) must be less than y_max ({}), both finite", plot.title, plot.y_min,
           plot.y_max);
  TG_CHECK(plot.levels >= 1 && plot.levels <= max_levels, "ContourPlot '{}': levels must be in [1, {}], got {}",
           plot.title, max_levels, plot.levels);
  for (const Series& s : plot.trajectories) check_series("ContourPlot", plot.title, "trajectory", s, false);
}

Grid sample(const ContourPlot& plot) {
  Grid grid{grid_points, grid_points, std::vector<double>(static_cast<std::size_t>(grid_points * grid_points))};
  const double steps = static_cast<double>(grid_points - 1);
  for (std::int64_t j = 0; j < grid_points; ++j) {
    const double y = plot.y_min + (plot.y_max - plot.y_min) * static_cast<double>(j) / steps;
    for (std::int64_t i = 0; i < grid_points; ++i)
      grid.values[static_cast<std::size_t>(j * grid_points + i)] =
          plot.f(plot.x_min + (plot.x_max - plot.x_min) * static_cast<double>(i) / steps, y);
  }
  return grid;
}

// levels values strictly between min f and max f on the grid: evenly spaced, or evenly
// spaced in log(f - min f) over the top log_level_decades decades.
std::vector<double> level_values(const Grid& grid, int levels, bool log_spaced) {
  DataRange range;
  for (double v : grid.values) range.add(v);
  if (range.empty || !(range.max > range.min)) return {};
  const double span = range.max - range.min;
  std::vector<double> values;
  for (int k = 0; k < levels; ++k) {
    const double t = static_cast<double>(k + 1) / (levels + 1);
    values.push_back(log_spaced ? range.min + span * std::pow(10.0, log_level_decades * (t - 1))
                                : range.min + span * t);
  }
  return values;
}

// One path per level, coloured from dark (low) to light (high).
void draw_levels(SvgCanvas& canvas, const PlotBox& box, const Grid& grid, const std::vector<double>& levels) {
  const double cell_width = box.width / static_cast<double>(grid.nx - 1);
  const double cell_height = box.height / static_cast<double>(grid.ny - 1);
  for (std::size_t k = 0; k < levels.size(); ++k) {
    std::string data;
    for (const auto& line : iso_lines(grid, levels[k])) {
      std::vector<Point> pixels;
      for (const Point& p : line) pixels.push_back({box.left + p.x * cell_width, box.bottom() - p.y * cell_height});
      data += polyline_path(pixels, Decimation::pixel_distance);
    }
    // The top of viridis is a yellow too pale on white.
    const double t = levels.size() > 1 ? 0.9 * static_cast<double>(k) / static_cast<double>(levels.size() - 1) : 0;
    canvas.path(data, fmt::format(R"(fill="none" stroke="{}" stroke-width="1")", sequential_color(t)));
  }
}

// Each path with a circle at its start and a square at its end; returns the legend.
std::vector<LegendEntry> draw_trajectories(SvgCanvas& canvas, const PlotBox& box, const Axis& x_axis,
                                           const Axis& y_axis, const std::vector<Series>& trajectories) {
  // Paths are cut a little outside the box (the clipPath hides the rest): their
  // coordinates stay small even when an optimizer diverges.
  const Point far_low{box.left - 10, box.top - 10}, far_high{box.right() + 10, box.bottom() + 10};
  std::vector<LegendEntry> legend;
  for (std::size_t k = 0; k < trajectories.size(); ++k) {
    const Series& s = trajectories[k];
    std::vector<Point> points;
    for (std::size_t i = 0; i < s.x.size(); ++i)
      points.push_back(drawable(s.x[i], false) && drawable(s.y[i], false)
                           ? Point{x_axis.pixel(s.x[i]), y_axis.pixel(s.y[i])}
                           : Point{NAN, NAN});
    const std::string color = series_color(k), dash = series_dash(k);
    legend.push_back({s.name, color, dash});
    canvas.path(polyline_path(clip_to_rectangle(points, far_low, far_high), Decimation::pixel_distance),
                fmt::format(R"(fill="none" stroke="{}" stroke-width="2" stroke-linejoin="round" {})", color, dash));
    const auto first = std::find_if(points.begin(), points.end(), is_point);
    if (first == points.end()) continue;
    const Point start = *first, end = *std::find_if(points.rbegin(), points.rend(), is_point);
    if (inside_rectangle(start, far_low, far_high))
      canvas.circle(start, 4.5, fmt::format(R"(fill="white" stroke="{}" stroke-width="2")", color));
    if (inside_rectangle(end, far_low, far_high))
      canvas.rect(end.x - 4, end.y - 4, 8, 8, fmt::format(R"(fill="{}")", color));
  }
  return legend;
}

std::string levels_note(const ContourPlot& plot, const std::vector<double>& levels) {
  std::string note =
      levels.empty() ? std::string("f is constant (or not finite) here: no level lines")
                     : fmt::format("{} level{} of f from {:.3g} to {:.3g}{}", levels.size(), levels.size() == 1 ? "" : "s",
                                   levels.front(), levels.back(), plot.log_levels ? ", log-spaced above min f" : "");
  if (!plot.trajectories.empty()) note += "; \u25CB start, \u25A0 end";
  return note;
}

}  // namespace

std::string svg(const ContourPlot& plot) {
  validate(plot);
  const PlotBox box = standard_plot_box(400);
  const Axis x_axis(DataRange{.log = false, .min = plot.x_min, .max = plot.x_max, .empty = false}, box.left,
                    box.right(), false, Direction::horizontal);
  const Axis y_axis(DataRange{.log = false, .min = plot.y_min, .max = plot.y_max, .empty = false}, box.bottom(),
                    box.top, false);
  const Grid grid = sample(plot);
  const std::vector<double> levels = level_values(grid, plot.levels, plot.log_levels);

  SvgCanvas canvas(plot_width, plot.title);
  canvas.title(plot.title);
  draw_axes(canvas, box, x_axis, y_axis, "x", "y");
  canvas.raw(fmt::format("<defs><clipPath id=\"{0}\"><rect x=\"{1}\" y=\"{2}\" width=\"{3}\" height=\"{4}\"/>"
                         "</clipPath></defs>\n<g clip-path=\"url(#{0})\">\n",
                         clip_id, number(box.left), number(box.top), number(box.width), number(box.height)));
  draw_levels(canvas, box, grid, levels);
  const std::vector<LegendEntry> legend = draw_trajectories(canvas, box, x_axis, y_axis, plot.trajectories);
  canvas.raw("</g>\n");
  const double bottom = draw_legend(canvas, legend, legend_top(box));
  canvas.text({box.left, bottom + 2}, escape_html(levels_note(plot, levels)), R"(fill="#555")");
  return with_unique_id(std::move(canvas).finish(bottom + 10), clip_id);
}

}  // namespace tg::train::report
