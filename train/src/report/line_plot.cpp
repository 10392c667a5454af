// LinePlot: curves over x, one colour and dash pattern per series, on linear or log axes.
#include <fmt/format.h>

#include <cmath>
#include <utility>

#include "report/axis.hpp"
#include "report/colors.hpp"
#include "report/log_floor.hpp"
#include "report/markers.hpp"
#include "report/plot_frame.hpp"
#include "report/polyline.hpp"
#include <tapegrad/train/report/report.hpp>
#include "report/series_check.hpp"
#include "report/svg_canvas.hpp"

namespace tg::train::report {

using namespace detail;

namespace {

constexpr double clamp_marker_size = 9, isolated_marker_size = 7;

}  // namespace

std::string svg(const LinePlot& plot) {
  for (const Series& s : plot.series) check_series("LinePlot", plot.title, "series", s, true);

  const double floor = plot.log_y ? log_floor(plot.series, plot.log_x) : 0;
  const auto clamped = [&](double x, double y) {
    return plot.log_y && drawable(x, plot.log_x) && std::isfinite(y) && (y <= 0 || y < floor);
  };
  DataRange x_range{.log = plot.log_x}, y_range{.log = plot.log_y};
  for (const Series& s : plot.series)
    for (std::size_t i = 0; i < s.y.size(); ++i) {
      const double x = x_at(s, i), y = s.y[i];
      const bool is_clamped = clamped(x, y), shown = drawable(x, plot.log_x) && drawable(y, plot.log_y);
      if (shown || is_clamped) x_range.add(x);  // a clamped point is still marked at its x
      if (shown && !is_clamped) y_range.add(y);
    }
  x_range.integers = all_integers(plot.series, plot.log_x);
  const PlotBox box = standard_plot_box(300);
  const Axis x_axis(x_range, box.left, box.right(), true, Direction::horizontal),
      y_axis(y_range, box.bottom(), box.top);

  SvgCanvas canvas(plot_width, plot.title);
  canvas.title(plot.title);
  draw_axes(canvas, box, x_axis, y_axis, plot.x_label, plot.y_label);
  std::vector<LegendEntry> legend;
  for (std::size_t k = 0; k < plot.series.size(); ++k) {
    const Series& s = plot.series[k];
    std::vector<Point> points(s.y.size());
    std::string clamp_marks;
    bool reaches_zero = false, below_axis = false, was_clamped = false;
    for (std::size_t i = 0; i < s.y.size(); ++i) {
      const double x = x_at(s, i), y = s.y[i];
      const bool is_clamped = clamped(x, y);
      points[i] = drawable(x, plot.log_x) && drawable(y, plot.log_y) && !is_clamped
                      ? Point{x_axis.pixel(x), y_axis.pixel(y)}
                      : Point{NAN, NAN};
      // One mark where a run of clamped points starts: the line leaves through the bottom there.
      if (is_clamped && !was_clamped)
        clamp_marks += marker_path(Marker::down_triangle, {x_axis.pixel(x), box.bottom()}, clamp_marker_size);
      if (is_clamped) (y <= 0 ? reaches_zero : below_axis) = true;
      was_clamped = is_clamped;
    }
    // A point with no neighbour to join (a single sample) gets the series' marker: a dot of
    // the line's width would be invisible.
    const auto gap = [&](std::size_t i) { return !std::isfinite(points[i].x); };
    std::string isolated;
    for (std::size_t i = 0; i < points.size(); ++i)
      if (!gap(i) && (i == 0 || gap(i - 1)) && (i + 1 == points.size() || gap(i + 1)))
        isolated += marker_path(series_marker(k), points[i], isolated_marker_size);
    const std::string color = series_color(k), dash = series_dash(k);
    canvas.path(polyline_path(points, Decimation::pixel_columns),
                fmt::format(R"(fill="none" stroke="{}" stroke-width="1.8" stroke-linecap="round" )"
                            R"(stroke-linejoin="round" {})",
                            color, dash));
    canvas.path(isolated, marker_style(color, false));
    canvas.path(clamp_marks, marker_style(color, false));
    LegendEntry entry{s.name, color, dash};
    if (!isolated.empty()) entry.marker = series_marker(k);
    if (reaches_zero || below_axis) {
      entry.name += reaches_zero ? " (\u25BC reaches 0)" : fmt::format(" (\u25BC below {})", short_label(floor));
      entry.marker = Marker::down_triangle;
    }
    legend.push_back(std::move(entry));
  }
  const double bottom = draw_legend(canvas, legend, legend_top(box));
  return std::move(canvas).finish(bottom + 6);
}

}  // namespace tg::train::report
