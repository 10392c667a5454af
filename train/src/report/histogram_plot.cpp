// Histograms: make_histogram, and HistogramPlot's small multiples (one panel per histogram).
#include <fmt/format.h>

#include <tapegrad/error.hpp>

#include <algorithm>
#include <cmath>
#include <utility>

#include "report/axis.hpp"
#include "report/colors.hpp"
#include "report/plot_frame.hpp"
#include <tapegrad/train/report/report.hpp>
#include "report/svg_canvas.hpp"

namespace tg::train::report {

using namespace detail;

namespace {
constexpr int max_bins = 10000;  // far more than a panel has pixels
}  // namespace

Histogram make_histogram(std::string name, const std::vector<double>& values, int bins) {
  TG_CHECK(bins >= 1 && bins <= max_bins, "make_histogram '{}': bins must be in [1, {}], got {}", name, max_bins,
           bins);
  Histogram histogram{std::move(name), {}, {}};
  DataRange range;
  for (double v : values) range.add(v);  // NaN and infinities are left out
  if (range.empty) return histogram;
  if (range.max == range.min) {
    histogram.edges = {range.min, range.max};
    histogram.counts = {0};
    for (double v : values) histogram.counts[0] += v == range.min ? 1 : 0;
    return histogram;
  }
  return make_histogram(std::move(histogram.name), values, bins, range.min, range.max);
}

Histogram make_histogram(std::string name, const std::vector<double>& values, int bins, double low, double high) {
  TG_CHECK(bins >= 1 && bins <= max_bins, "make_histogram '{}': bins must be in [1, {}], got {}", name, max_bins,
           bins);
  TG_CHECK(std::isfinite(low) && std::isfinite(high) && low < high,
           "make_histogram '{}': the range [{}, {}] must be finite with low < high", name, low, high);
  Histogram histogram{std::move(name), {}, {}};
  const double width = (high - low) / bins;
  for (int i = 0; i < bins; ++i) histogram.edges.push_back(low + width * i);
  histogram.edges.push_back(high);
  histogram.counts.assign(static_cast<std::size_t>(bins), 0);
  for (double v : values) {
    if (!(v >= low && v <= high)) continue;  // NaN too
    // The largest value belongs to the last bin, which is closed on the right.
    const auto bin = std::min(static_cast<std::size_t>((v - low) / width), static_cast<std::size_t>(bins - 1));
    histogram.counts[bin] += 1;
  }
  return histogram;
}

namespace {

constexpr int max_panels_per_row = 8;
constexpr double margin = 16, gap = 18;
// Each panel: its name on one line, its largest count on the next, then the bars.
constexpr double panel_height = 162, bars_top = 36, bars_height = 92;
constexpr double tick_font_size = 10;
constexpr double name_char_width = 6.6;  // bold 12 px, averaged over names like "1 BatchNorm2d.weight"  // small multiples: small labels, more of them fit

void validate(const HistogramPlot& plot) {
  TG_CHECK(plot.columns >= 1 && plot.columns <= max_panels_per_row,
           "HistogramPlot '{}': columns must be in [1, {}], got {}", plot.title, max_panels_per_row, plot.columns);
  for (const Histogram& h : plot.histograms) {
    const bool empty = h.edges.empty() && h.counts.empty();
    TG_CHECK(empty || h.edges.size() == h.counts.size() + 1,
             "HistogramPlot '{}': histogram '{}' has {} edges and {} counts; it needs one edge more than counts",
             plot.title, h.name, h.edges.size(), h.counts.size());
    TG_CHECK(std::is_sorted(h.edges.begin(), h.edges.end()),
             "HistogramPlot '{}': histogram '{}' has edges that are not in increasing order", plot.title, h.name);
  }
}

void draw_panel(SvgCanvas& canvas, const Histogram& h, double left, double top, double width) {
  canvas.text({left, top + 12}, label_markup(h.name, static_cast<std::size_t>(width / name_char_width)), R"(font-weight="bold")");
  const double baseline = top + bars_top + bars_height;
  canvas.line({left, baseline}, {left + width, baseline}, R"(stroke="#333")");
  if (h.counts.empty()) {
    canvas.text({left + width / 2, baseline - bars_height / 2}, "no values", R"(text-anchor="middle" fill="#555")");
    return;
  }
  const double highest = *std::max_element(h.counts.begin(), h.counts.end());
  canvas.text({left, top + 26}, "max " + escape_html(short_label(highest)),
              R"(fill="#555" font-size="11")");
  const double lo = h.edges.front(), hi = h.edges.back();
  const auto x_at = [&](double edge) { return hi > lo ? left + (edge - lo) / (hi - lo) * width : left; };
  std::string bars;
  for (std::size_t i = 0; i < h.counts.size(); ++i) {
    if (!(h.counts[i] > 0) || !(highest > 0)) continue;
    const double x0 = x_at(h.edges[i]), x1 = hi > lo ? x_at(h.edges[i + 1]) : left + width;
    const double bar = h.counts[i] / highest * bars_height;
    bars += fmt::format("M{},{}h{}v{}h{}z", number(x0), number(baseline), number(x1 - x0), number(-bar),
                        number(x0 - x1));
  }
  canvas.path(bars, fmt::format(R"(fill="{}" stroke="white" stroke-width="0.3")", series_color(0)));
  const double label_y = baseline + 15;
  if (hi > lo) {
    // Labels may reach a little into the gap between panels, never into the next panel.
    constexpr double overhang = gap / 2 - 2;
    for (const Tick& t : fitting_ticks(lo, hi, width, overhang, tick_font_size)) {
      const double x = x_at(t.value);
      const LabelSpan span = label_span(x, t.label, left - overhang, left + width + overhang, tick_font_size);
      canvas.line({x, baseline}, {x, baseline + 4}, R"(stroke="#333")");
      canvas.text({span.centre(), label_y}, t.label,
                  fmt::format(R"(text-anchor="middle" font-size="{}")", number(tick_font_size)));
    }
  } else {
    canvas.text({left + width / 2, label_y}, escape_html(short_label(lo)), R"(text-anchor="middle")");
  }
}

}  // namespace

std::string svg(const HistogramPlot& plot) {
  validate(plot);
  SvgCanvas canvas(plot_width, plot.title);
  canvas.title(plot.title);
  const std::size_t n = plot.histograms.size();
  const std::size_t columns = std::clamp<std::size_t>(n, 1, static_cast<std::size_t>(plot.columns));
  const double width = (plot_width - 2 * margin - gap * static_cast<double>(columns - 1)) / static_cast<double>(columns);
  const std::size_t rows = (n + columns - 1) / columns;
  for (std::size_t k = 0; k < n; ++k) {
    const double left = margin + static_cast<double>(k % columns) * (width + gap);
    const double top = 40 + static_cast<double>(k / columns) * panel_height;
    draw_panel(canvas, plot.histograms[k], left, top, width);
  }
  double bottom = 40 + static_cast<double>(rows) * panel_height;
  if (n == 0) {
    canvas.text({plot_width / 2, 60}, "no histograms", R"(text-anchor="middle" fill="#555")");
    bottom = 80;
  }
  if (!plot.x_label.empty()) {
    canvas.text({plot_width / 2, bottom}, label_markup(plot.x_label), R"(text-anchor="middle")");
    bottom += 8;
  }
  return std::move(canvas).finish(bottom + 4);
}

}  // namespace tg::train::report
