#pragma once
// One self-contained HTML file of plots and tables (inline SVG, no scripts, no network),
// the report `tapegrad train`, `bench` and `search` write for a person to look at:
//   report::Report r("tapegrad bench");
//   r.add(report::LinePlot{.title = "loss", .log_y = true, .series = {{"sgd", xs, ys}}});
//   r.save("report.html");
// Each add(plot) becomes exactly one <svg> element in the page; add_svg and add_html take
// content made elsewhere.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace tg::train::report {

// A named sequence of points; for LinePlot, x may be empty (then 0, 1, 2, ...).
struct Series {
  std::string name{};
  std::vector<double> x{}, y{};
};

// NaN and infinite points are left out and break the line there. A long series is
// decimated to the lowest and highest point per pixel column (spikes survive), so
// 10 000 points cost about as much as 1 000. When every x is a whole number the x ticks
// are too. On a log y axis, values <= 0 and values far below all the others (see
// docs/report.md) do not stretch the axis: they are marked on its bottom edge and the
// legend says "reaches 0".
struct LinePlot {
  std::string title{}, x_label{}, y_label{};
  bool log_x = false, log_y = false;  // non-positive values are left out on a log axis
  std::vector<Series> series{};       // a colour and a dash pattern each, with a legend
};

// Separate points that are not a sequence (independent trials of a search): one marker per
// (x[i], y[i]), never joined by a line; series differ by colour and marker shape.
// Non-finite points (and non-positive ones on a log axis) are left out.
struct ScatterPlot {
  std::string title{}, x_label{}, y_label{};
  bool log_x = false, log_y = false;
  std::vector<Series> series{};  // x and y of the same size
  // Points drawn as large black rings over the rest, named in the legend (e.g. the best trial).
  Series highlighted{};
  // Vertical dashed lines across the plot, e.g. the borders of a searched range; in the
  // legend as x_lines_name when it is not empty. The x axis reaches them.
  std::vector<double> x_lines{};
  std::string x_lines_name{};
};

// Level sets of f over a rectangle, with optimizer trajectories drawn over them
// (each Series is a path of (x[i], y[i]) points; its start and end are marked).
// f is sampled on a 101 x 101 grid; the parts of a path outside the rectangle are clipped.
struct ContourPlot {
  std::string title{};
  std::function<double(double, double)> f{};
  double x_min = -1, x_max = 1, y_min = -1, y_max = 1;
  int levels = 15;
  bool log_levels = true;  // levels spaced evenly in log(f - min f + tiny): bowls show their floor
                           // (3 decades below max f - min f); false: evenly in f
  std::vector<Series> trajectories{};
};

// One histogram: counts[i] is the number of values in [edges[i], edges[i+1]).
struct Histogram {
  std::string name{};
  std::vector<double> edges{}, counts{};
};
// Equal-width bins over [min, max] of values (a single bin when all are equal).
Histogram make_histogram(std::string name, const std::vector<double>& values, int bins = 30);
// Equal-width bins over the given [low, high] (low < high, both finite), so that several
// histograms share one x range and read side by side; values outside it are left out.
Histogram make_histogram(std::string name, const std::vector<double>& values, int bins, double low, double high);

// Several histograms side by side as small multiples in one SVG (e.g. per layer).
struct HistogramPlot {
  std::string title{}, x_label{};
  std::vector<Histogram> histograms{};
  int columns = 4;  // panels per row, 1 to 8 (e.g. 5 for the 5 layers of one network in one row)
};

// Grayscale images in a grid (e.g. first-layer weights); each image is scaled to its
// own [min, max] before it is drawn.
struct Image {
  std::int64_t width = 0, height = 0;
  std::vector<double> pixels{};  // row-major, width*height
};
struct ImageGrid {
  std::string title{};
  std::vector<Image> images{};
  int columns = 8;
};

struct Table {
  std::string title{};
  std::vector<std::string> header{};
  std::vector<std::vector<std::string>> rows{};
};

// The SVG element of one plot (also usable on its own). Invalid input (mismatched
// x/y sizes, empty f, bad ranges, pixel counts that do not match the size) is a tg::Error.
std::string svg(const LinePlot& plot);
std::string svg(const ScatterPlot& plot);
std::string svg(const ContourPlot& plot);
std::string svg(const HistogramPlot& plot);
std::string svg(const ImageGrid& grid);

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string escape_html(const std::string& text);

class Report {
 public:
  explicit Report(std::string title);

  void heading(const std::string& text);    // <h2>
  void paragraph(const std::string& text);  // <p>, escaped
  void add(const LinePlot& plot);
  void add(const ScatterPlot& plot);
  void add(const ContourPlot& plot);
  void add(const HistogramPlot& plot);
  void add(const ImageGrid& grid);
  void add(const Table& table);  // an HTML <table> (not an <svg>); rows must match the header
  // Your own figure: one complete <svg ...>...</svg> element (e.g. from another plotting
  // tool), placed like the plots above and counted by plots(). It goes into the page as
  // given, so it must come from a trusted source; anything but a single element that
  // starts with "<svg" and ends with "</svg>" is a tg::Error.
  void add_svg(const std::string& svg_element);
  // Your own HTML fragment (e.g. a list, a <details> block) placed as given, not escaped
  // and not counted as a plot: it must come from a trusted source and be well formed.
  void add_html(const std::string& fragment);

  std::int64_t plots() const { return plots_; }  // the number of <svg> elements so far
  std::string html() const;                       // the whole page
  // Writes html() atomically (temp file in the same folder, then rename).
  void save(const std::string& path) const;

 private:
  void add_figure(const std::string& svg_element);

  std::string title_;
  std::string body_;
  std::int64_t plots_ = 0;
};

}  // namespace tg::train::report
