// Series a reader can tell apart: a log axis that a series reaching 0 does not stretch
// (its clamped points marked instead), dash patterns besides colours, markers for lone
// points, and scatter plots for independent points.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "report/axis.hpp"
#include "report/colors.hpp"
#include "report_svg_text.hpp"
#include <tapegrad/error.hpp>
#include <tapegrad/train/report/report.hpp>

namespace report = tg::train::report;
using report_test::count;
using tg::train::report::detail::decade_label;

namespace {

// The lowest decade labelled on the plot's y axis (labels are anchored at the end).
int lowest_decade(const std::string& svg) {
  for (int k = -400; k < 400; ++k) {
    std::string label = ">";
    label += decade_label(k);
    label += "</text>";
    if (svg.find(label) != std::string::npos) return k;
  }
  return 400;
}

}  // namespace

TEST_CASE("report series: on a log axis a series reaching 0 or 1e-300 leaves the axis alone and is marked") {
  // Newton on a quadratic: exact in one step, then 1e-300 and 0; Adam converging slowly.
  const report::LinePlot plot{.title = "f - f_min",
                              .log_y = true,
                              .series = {{"newton", {}, {10, 1e-300, 0, 0}}, {"adam", {}, {10, 1, 1e-2, 1e-4}}}};
  const std::string svg = report::svg(plot);
  CHECK(lowest_decade(svg) == -4);  // adam's floor, not 10^-300
  CHECK(svg.find("newton (\u25BC reaches 0)") != std::string::npos);
  // One downward triangle where the clamped run starts (x = 1 on the axis 0..3: 72 + 584 / 3),
  // its tip on the bottom edge y = 340.
  CHECK(svg.find("d=\"M266.67,340L") != std::string::npos);
  // Newton's paths in its colour: the lone first point's marker, the clamp mark, the legend's mark.
  CHECK(count(svg, "fill=\"#0072B2\" stroke=\"white\"") == 3);
}

TEST_CASE("report series: a series that truly spans many decades keeps them") {
  // Activations shrinking layer after layer: 10 decades below the others, but not 20 below the largest.
  const report::LinePlot plot{.title = "std per layer",
                              .log_y = true,
                              .series = {{"std 0.01", {1, 2, 3}, {1e-2, 1e-6, 1e-10}}, {"he", {1, 2, 3}, {1, 1, 1}}}};
  const std::string svg = report::svg(plot);
  CHECK(lowest_decade(svg) == -10);
  CHECK(svg.find("\u25BC") == std::string::npos);
}

TEST_CASE("report series: series differ in dash pattern as well as colour, and a lone point gets a marker") {
  using tg::train::report::detail::series_dash;
  CHECK(series_dash(0).empty());
  CHECK(series_dash(1) != series_dash(2));
  CHECK(series_dash(1) != series_dash(0));
  CHECK(series_dash(2) != series_dash(3));
  // adam and adamw with the same values: the second is drawn over the first, in another dash.
  const std::vector<double> same = {3, 2, 1};
  const std::string svg = report::svg(report::LinePlot{
      .title = "overlap", .series = {{"sgd", {}, {1, 1, 1}}, {"adam", {}, same}, {"adamw", {}, same}}});
  CHECK(count(svg, series_dash(1)) == 2);  // adam's line and its legend swatch
  CHECK(count(svg, series_dash(2)) == 2);
  // A series of one point (one update-ratio sample) is a marker, not an invisible dot.
  const std::string lone = report::svg(report::LinePlot{.title = "one sample", .series = {{"w", {50}, {1e-3}}}});
  CHECK(lone.find("a3.5,3.5 0 1,0 7,0") != std::string::npos);  // a circle 7 px across
}

TEST_CASE("report series: a scatter plot draws separate markers, range lines and a ringed best point") {
  const report::ScatterPlot plot{.title = "validation accuracy against lr",
                                 .x_label = "lr",
                                 .y_label = "validation accuracy",
                                 .log_x = true,
                                 .series = {{"stage 1", {1e-4, 1e-2, 1e-3}, {0.5, 0.7, 0.8}},
                                            {"stage 2", {2e-3, 5e-4}, {0.85, 0.6}}},
                                 .highlighted = {"best", {2e-3}, {0.85}},
                                 .x_lines = {1e-5, 1e-1},
                                 .x_lines_name = "searched range"};
  const std::string svg = report::svg(plot);
  const std::vector<std::string> paths = report_test::path_data(svg);
  // Stage 1: 3 closed circles, no line between them; stage 2: 2 squares; the ring; the legend's 3 markers.
  REQUIRE(paths.size() == 3 + 3);
  CHECK(count(paths[0], "z") == 3);
  CHECK(count(paths[0], "L") == 0);
  CHECK(count(paths[1], "z") == 2);
  CHECK(count(paths[1], "v") == 2);  // squares: M x,y h v h z
  CHECK(svg.find("fill=\"none\" stroke=\"#000\" stroke-width=\"2\"") != std::string::npos);
  CHECK(count(svg, "stroke=\"#777\" stroke-width=\"1.3\" stroke-dasharray=\"5 4\"") == 2);  // the two borders
  for (const char* name : {">stage 1</text>", ">stage 2</text>", ">best</text>", ">searched range</text>"})
    CHECK_MESSAGE(svg.find(name) != std::string::npos, name);
  // The borders lie inside the box (padded), not under its frame at x = 72 and 656.
  const auto first_line = svg.find("stroke=\"#777\"");
  const std::string line = svg.substr(svg.rfind("<line", first_line), first_line - svg.rfind("<line", first_line));
  const double x1 = std::stod(report_test::attribute(line, "x1"));
  CHECK(x1 > 72);
  CHECK(x1 < 100);
  for (int k = -5; k <= -1; ++k) CHECK_MESSAGE(svg.find(decade_label(k)) != std::string::npos, k);
  // A range of 600 decades is padded without overflow: its decades are still labelled.
  const std::string wide =
      report::svg(report::ScatterPlot{.title = "wide", .log_x = true, .series = {{"a", {1e-300, 1e300}, {1, 2}}}});
  CHECK(count(wide, "<tspan") >= 5);
  CHECK(wide.find("nan") == std::string::npos);
  CHECK(wide.find("inf") == std::string::npos);
  CHECK_THROWS_WITH_AS(report::svg(report::ScatterPlot{.title = "s", .series = {{"a", {1, 2}, {1}}}}),
                       "ScatterPlot 's': series 'a' has 2 x values and 1 y values; they must match", tg::Error);
}

TEST_CASE("report series: your own svg and html go into the page, a non-svg is an error") {
  report::Report page("custom");
  page.add_svg("  <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><rect/></svg>\n");
  page.add_html("<ul><li>note</li></ul>");
  CHECK(page.plots() == 1);
  const std::string html = page.html();
  CHECK(html.find("<figure>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><rect/></svg>\n"
                  "</figure>") != std::string::npos);
  CHECK(html.find("<ul><li>note</li></ul>") != std::string::npos);
  CHECK_THROWS_WITH_AS(page.add_svg("<div>not a plot</div>"),
                       "Report::add_svg: expected one <svg ...>...</svg> element, got 21 characters starting with "
                       "'<div>not a plot</div'",
                       tg::Error);
  CHECK_THROWS_AS(page.add_svg("<svg></svg><svg></svg>"), tg::Error);
  CHECK(page.plots() == 1);
}
