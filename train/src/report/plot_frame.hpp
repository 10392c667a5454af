#pragma once
// What every x-y plot has around its data: grid lines, a frame, ticks with labels,
// axis labels, and a legend of the series.
#include <string>
#include <vector>

#include "report/axis.hpp"
#include "report/markers.hpp"
#include "report/svg_canvas.hpp"

namespace tg::train::report::detail {

// The area the data is drawn in, in pixels.
struct PlotBox {
  double left = 0, top = 0, width = 0, height = 0;
  double right() const { return left + width; }
  double bottom() const { return top + height; }
};

// The layout shared by line and contour plots: room for the title above, tick labels
// to the left and below, the axis labels, then the legend.
constexpr double plot_width = 680;
PlotBox standard_plot_box(double height);
// Where the legend of a plot with this box starts.
double legend_top(const PlotBox& box);

void draw_axes(SvgCanvas& canvas, const PlotBox& box, const Axis& x, const Axis& y, const std::string& x_label,
               const std::string& y_label);

// The style attributes of a marker in color: filled with a white rim, or hollow.
std::string marker_style(const std::string& color, bool hollow);

struct LegendEntry {
  std::string name{};
  std::string color{};
  std::string dash{};  // an attribute string from series_dash, or ""
  bool line = true;    // the swatch is a line (with dash)
  Marker marker = Marker::none;  // drawn over the swatch's middle
  bool hollow = false;           // the marker outlined in color, not filled
};
// Entries left to right from `top`, wrapping at the canvas width; returns the y below the legend.
double draw_legend(SvgCanvas& canvas, const std::vector<LegendEntry>& entries, double top);

}  // namespace tg::train::report::detail
