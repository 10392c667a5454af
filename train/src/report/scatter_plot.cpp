// ScatterPlot: separate points, one colour and marker shape per series, with highlighted
// points and vertical reference lines.
#include <fmt/format.h>

#include <utility>
#include <vector>

#include "report/axis.hpp"
#include "report/colors.hpp"
#include "report/markers.hpp"
#include "report/plot_frame.hpp"
#include <tapegrad/train/report/report.hpp>
#include "report/series_check.hpp"
#include "report/svg_canvas.hpp"

namespace tg::train::report {

using namespace detail;

namespace {

constexpr double marker_size = 8, highlight_size = 16;
constexpr double x_padding = 0.04;  // of the span, each side
constexpr const char* x_line_color = "#777";

}  // namespace

std::string svg(const ScatterPlot& plot) {
  for (const Series& s : plot.series) check_series("ScatterPlot", plot.title, "series", s, false);
  check_series("ScatterPlot", plot.title, "highlighted", plot.highlighted, false);

  DataRange x_range{.log = plot.log_x}, y_range{.log = plot.log_y};
  const auto drawable_point = [&](double x, double y) { return drawable(x, plot.log_x) && drawable(y, plot.log_y); };
  std::vector<const Series*> all;
  for (const Series& s : plot.series) all.push_back(&s);
  all.push_back(&plot.highlighted);
  for (const Series* s : all)
    for (std::size_t i = 0; i < s->x.size(); ++i)
      if (drawable_point(s->x[i], s->y[i])) {
        x_range.add(s->x[i]);
        y_range.add(s->y[i]);
      }
  for (double x : plot.x_lines) x_range.add(x);
  // Not widened to whole ticks but padded, so that a point or line at the end of the range
  // (a range border) is not hidden under the frame.
  const PlotBox box = standard_plot_box(300);
  const Axis x_axis(padded(x_range, x_padding), box.left, box.right(), false, Direction::horizontal),
      y_axis(y_range, box.bottom(), box.top);

  SvgCanvas canvas(plot_width, plot.title);
  canvas.title(plot.title);
  draw_axes(canvas, box, x_axis, y_axis, plot.x_label, plot.y_label);
  std::vector<LegendEntry> legend;
  const std::string line_dash = R"(stroke-dasharray="5 4")";
  for (double x : plot.x_lines)
    if (drawable(x, plot.log_x))
      canvas.line({x_axis.pixel(x), box.top}, {x_axis.pixel(x), box.bottom()},
                  fmt::format(R"(stroke="{}" stroke-width="1.3" {})", x_line_color, line_dash));
  if (!plot.x_lines.empty() && !plot.x_lines_name.empty())
    legend.push_back({plot.x_lines_name, x_line_color, line_dash});
  for (std::size_t k = 0; k < plot.series.size(); ++k) {
    const Series& s = plot.series[k];
    const std::string color = series_color(k);
    const Marker marker = series_marker(k);
    std::string markers;
    for (std::size_t i = 0; i < s.x.size(); ++i)
      if (drawable_point(s.x[i], s.y[i]))
        markers += marker_path(marker, {x_axis.pixel(s.x[i]), y_axis.pixel(s.y[i])}, marker_size);
    canvas.path(markers, marker_style(color, false));
    legend.push_back({.name = s.name, .color = color, .line = false, .marker = marker});
  }
  std::string rings;
  for (std::size_t i = 0; i < plot.highlighted.x.size(); ++i)
    if (drawable_point(plot.highlighted.x[i], plot.highlighted.y[i]))
      rings += marker_path(Marker::circle, {x_axis.pixel(plot.highlighted.x[i]), y_axis.pixel(plot.highlighted.y[i])},
                           highlight_size);
  canvas.path(rings, marker_style("#000", true));
  if (!plot.highlighted.x.empty())
    legend.push_back(
        {.name = plot.highlighted.name, .color = "#000", .line = false, .marker = Marker::circle, .hollow = true});
  const double bottom = draw_legend(canvas, legend, legend_top(box));
  return std::move(canvas).finish(bottom + 6);
}

}  // namespace tg::train::report
