#include "report/plot_frame.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace tg::train::report::detail {

namespace {

constexpr double tick_length = 5;
constexpr double minor_tick_length = 3;
constexpr double legend_row_height = 18;
constexpr double legend_swatch = 22;
constexpr std::size_t legend_max_name_chars = 40;

}  // namespace

PlotBox standard_plot_box(double height) { return {72, 40, plot_width - 72 - 24, height}; }

double legend_top(const PlotBox& box) { return box.bottom() + 50; }

void draw_axes(SvgCanvas& canvas, const PlotBox& box, const Axis& x, const Axis& y, const std::string& x_label,
               const std::string& y_label) {
  for (const Tick& t : x.ticks()) {
    const double px = x.pixel(t.value);
    const bool major = !t.label.empty() || !x.log();
    if (major) canvas.line({px, box.top}, {px, box.bottom()}, R"(stroke="#e4e4e4")");
    canvas.line({px, box.bottom()}, {px, box.bottom() + (major ? tick_length : minor_tick_length)},
                R"(stroke="#333")");
    if (!t.label.empty()) canvas.text({px, box.bottom() + 18}, t.label, R"(text-anchor="middle")");
  }
  for (const Tick& t : y.ticks()) {
    const double py = y.pixel(t.value);
    const bool major = !t.label.empty() || !y.log();
    if (major) canvas.line({box.left, py}, {box.right(), py}, R"(stroke="#e4e4e4")");
    canvas.line({box.left - (major ? tick_length : minor_tick_length), py}, {box.left, py}, R"(stroke="#333")");
    if (!t.label.empty()) canvas.text({box.left - 8, py + 4}, t.label, R"(text-anchor="end")");
  }
  canvas.rect(box.left, box.top, box.width, box.height, R"(fill="none" stroke="#333")");
  if (!x_label.empty())
    canvas.text({box.left + box.width / 2, box.bottom() + 38}, label_markup(x_label), R"(text-anchor="middle")");
  if (!y_label.empty()) {
    const Point at{18, box.top + box.height / 2};
    canvas.text(at, label_markup(y_label),
                fmt::format(R"~(text-anchor="middle" transform="rotate(-90 {} {})")~", number(at.x), number(at.y)));
  }
}

std::string marker_style(const std::string& color, bool hollow) {
  return hollow ? fmt::format(R"(fill="none" stroke="{}" stroke-width="2")", color)
                : fmt::format(R"(fill="{}" stroke="white" stroke-width="0.8")", color);
}

double draw_legend(SvgCanvas& canvas, const std::vector<LegendEntry>& entries, double top) {
  if (entries.empty()) return top;
  const double left = 72, right = canvas.width() - 16;
  double x = left, y = top;
  for (const LegendEntry& entry : entries) {
    const std::size_t chars = std::min(entry.name.size(), legend_max_name_chars);
    const double width = legend_swatch + 6 + label_width(entry.name.substr(0, chars)) + 18;
    if (x > left && x + width > right) {
      x = left;
      y += legend_row_height;
    }
    if (entry.line)
      canvas.line({x, y}, {x + legend_swatch, y},
                  fmt::format(R"(stroke="{}" stroke-width="2.5" {})", entry.color, entry.dash));
    if (entry.marker != Marker::none) {
      const Point middle{x + legend_swatch / 2, entry.marker == Marker::down_triangle ? y + 4 : y};
      canvas.path(marker_path(entry.marker, middle, 8), marker_style(entry.color, entry.hollow));
    }
    canvas.text({x + legend_swatch + 6, y + 4}, label_markup(entry.name, legend_max_name_chars), "");
    x += width;
  }
  return y + legend_row_height;
}

}  // namespace tg::train::report::detail
