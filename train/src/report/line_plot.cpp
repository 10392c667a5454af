// LinePlot: curves over x, one colour per series, on linear or log axes.
#include <fmt/format.h>

#include <cmath>
#include <utility>

#include "report/axis.hpp"
#include "report/colors.hpp"
#include "report/plot_frame.hpp"
#include "report/polyline.hpp"
#include <tapegrad/train/report/report.hpp>
#include "report/series_check.hpp"
#include "report/svg_canvas.hpp"

namespace tg::train::report {

using namespace detail;

std::string svg(const LinePlot& plot) {
  for (const Series& s : plot.series) check_series("LinePlot", plot.title, "series", s, true);

  DataRange x_range{.log = plot.log_x}, y_range{.log = plot.log_y};
  for (const Series& s : plot.series)
    for (std::size_t i = 0; i < s.y.size(); ++i)
      if (drawable(x_at(s, i), plot.log_x) && drawable(s.y[i], plot.log_y)) {
        x_range.add(x_at(s, i));
        y_range.add(s.y[i]);
      }
  const PlotBox box = standard_plot_box(300);
  const Axis x_axis(x_range, box.left, box.right()), y_axis(y_range, box.bottom(), box.top);

  SvgCanvas canvas(plot_width, plot.title);
  canvas.title(plot.title);
  draw_axes(canvas, box, x_axis, y_axis, plot.x_label, plot.y_label);
  std::vector<LegendEntry> legend;
  for (std::size_t k = 0; k < plot.series.size(); ++k) {
    const Series& s = plot.series[k];
    std::vector<Point> points(s.y.size());
    for (std::size_t i = 0; i < s.y.size(); ++i) {
      const double x = x_at(s, i), y = s.y[i];
      points[i] = drawable(x, plot.log_x) && drawable(y, plot.log_y) ? Point{x_axis.pixel(x), y_axis.pixel(y)}
                                                                       : Point{NAN, NAN};
    }
    const std::string color = series_color(k), dash = series_dash(k);
    canvas.path(polyline_path(points, Decimation::pixel_columns),
                fmt::format(R"(fill="none" stroke="{}" stroke-width="1.8" stroke-linecap="round" )"
                            R"(stroke-linejoin="round" {})",
                            color, dash));
    legend.push_back({s.name, color, dash});
  }
  const double bottom = draw_legend(canvas, legend, legend_top(box));
  return std::move(canvas).finish(bottom + 6);
}

}  // namespace tg::train::report
