// Tick labels that can be read: none overlap at the font size they are drawn at, whole
// numbers on integer axes, and titles that are not cut off.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "report/axis.hpp"
#include "report/svg_canvas.hpp"
#include "report_svg_text.hpp"
#include <tapegrad/train/report/report.hpp>

namespace report = tg::train::report;
using report_test::TextElement;
using report_test::text_elements;
using tg::train::report::detail::label_width;

namespace {

struct Span {
  double left, right;
  std::string text;
};

// The horizontal extent of a text element at its font size (12 when none is given).
Span span_of(const TextElement& t) {
  const double size = t.font_size.empty() ? 12 : std::stod(t.font_size);
  const double width = label_width(t.content, size);
  const double left = t.anchor == "middle" ? t.x - width / 2 : t.anchor == "end" ? t.x - width : t.x;
  return {left, left + width, t.content};
}

// "" when no two text elements on the same baseline overlap; else the two.
std::string overlapping(const std::vector<TextElement>& texts) {
  std::map<double, std::vector<Span>> rows;
  for (const TextElement& t : texts) rows[t.y].push_back(span_of(t));
  for (auto& [y, spans] : rows) {
    std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.left < b.left; });
    for (std::size_t i = 1; i < spans.size(); ++i)
      if (spans[i].left < spans[i - 1].right) return "'" + spans[i - 1].text + "' and '" + spans[i].text + "'";
  }
  return "";
}

// The text elements drawn at font size 10: the histogram panels' tick labels.
std::vector<TextElement> small_labels(const std::string& svg) {
  std::vector<TextElement> out;
  for (const TextElement& t : text_elements(svg))
    if (t.font_size == "10") out.push_back(t);
  return out;
}

}  // namespace

TEST_CASE("report ticks: histogram tick labels never overlap, and each panel has one, nearly all two or more") {
  // The ranges of a real run's gradients, where "0" used to land on "0.0167" ("00.0167").
  const std::vector<std::pair<double, double>> ranges = {
      {-0.00559, 0.00551}, {-0.0567, 0.0434}, {-0.00212, 0.00237}, {-0.307, 0.225},
      {-0.0103, 0.0129},   {-0.0033, 0.00307}, {-0.0274, 0.0474}, {-5.93, 6.61}, {0, 26.3}, {-1e-9, 3e-9},
      {0.121, 0.136}};  // the last: no multiple of its nice step 0.02 lies inside
  report::HistogramPlot plot{.title = "gradients"};
  for (const auto& [lo, hi] : ranges) plot.histograms.push_back(report::make_histogram("p", {lo, 0.5 * (lo + hi), hi}));
  const std::string svg = report::svg(plot);
  const std::vector<TextElement> labels = small_labels(svg);
  CHECK_MESSAGE(overlapping(labels).empty(), overlapping(labels));
  // 4 panels a row, 148.5 px wide with 18 px between them: a label stays inside its panel
  // and at most 7 px into the gap.
  const double width = (680 - 2 * 16 - 3 * 18) / 4.0;
  std::map<int, int> per_panel;
  for (const TextElement& t : labels) {
    const Span s = span_of(t);
    const int column = static_cast<int>((t.x - 16) / (width + 18));
    const double left = 16 + column * (width + 18);
    CHECK_MESSAGE(s.left >= left - 7.01, t.content);
    CHECK_MESSAGE(s.right <= left + width + 7.01, t.content);
    per_panel[static_cast<int>(t.y) * 10 + column] += 1;
  }
  CHECK(per_panel.size() == ranges.size());
  for (const auto& [panel, n] : per_panel) CHECK_MESSAGE(n >= 1, panel);
  std::size_t with_two = 0;
  for (const auto& [panel, n] : per_panel) with_two += n >= 2 ? 1 : 0;
  CHECK(with_two >= ranges.size() - 1);
}

TEST_CASE("report ticks: a horizontal axis with long labels takes fewer ticks, so none overlap") {
  // 1e9 + [0, 1e-3]: every label needs 13 digits ("1.0000000000002e9").
  const std::string svg = report::svg(
      report::LinePlot{.title = "long labels", .series = {{"s", {1e9, 1e9 + 1e-3}, {0, 1}}}});
  std::vector<TextElement> x_labels;
  for (const TextElement& t : text_elements(svg))
    if (t.anchor == "middle" && t.y > 340 && t.y < 360) x_labels.push_back(t);  // the box ends at y = 340
  REQUIRE(x_labels.size() >= 2);
  CHECK_MESSAGE(overlapping(x_labels).empty(), overlapping(x_labels));
  // The label estimate is wide enough for DejaVu Sans, the usual sans-serif: 0.636 em a digit.
  CHECK(label_width("0123456789", 12) >= 10 * 0.636 * 12);
  CHECK(label_width("\u22121.5", 10) == doctest::Approx((0.9 + 0.64 + 0.32 + 0.64) * 10));
  CHECK(label_width("10<tspan dy=\"-0.5em\">3</tspan>") == doctest::Approx(3 * 0.64 * 12));
}

TEST_CASE("report ticks: when every x is a whole number (epochs), the x ticks are whole numbers") {
  const auto x_tick_labels = [](const report::LinePlot& plot) {
    std::vector<std::string> labels;
    for (const TextElement& t : text_elements(report::svg(plot)))
      if (t.anchor == "middle" && t.y > 340 && t.y < 360) labels.push_back(t.content);
    return labels;
  };
  const std::vector<std::string> two_epochs =
      x_tick_labels({.title = "accuracy per epoch", .series = {{"train", {1, 2}, {0.5, 0.7}}}});
  CHECK(two_epochs == std::vector<std::string>{"1", "2"});  // not 1.0, 1.2, ... 2.0
  for (const std::string& label : x_tick_labels({.title = "seven", .series = {{"s", {1, 2, 3, 4, 5, 6, 7}, {1, 2, 3, 4, 5, 6, 7}}}}))
    CHECK_MESSAGE(label.find('.') == std::string::npos, label);
  // One epoch: the axis still has whole-number ends around it.
  const std::vector<std::string> one = x_tick_labels({.title = "one", .series = {{"s", {1}, {0.5}}}});
  CHECK(std::find(one.begin(), one.end(), "1") != one.end());
  for (const std::string& label : one) CHECK_MESSAGE(label.find('.') == std::string::npos, label);
  // An x that is not whole keeps fractional ticks.
  const std::vector<std::string> halves = x_tick_labels({.title = "halves", .series = {{"s", {0.5, 1.5}, {0, 1}}}});
  CHECK(std::find(halves.begin(), halves.end(), "1.0") != halves.end());
}

TEST_CASE("report ticks: an image grid's long title wraps onto lines that fit, nothing cut, images below it") {
  const std::string title =
      "first-layer weights: 64 filters of features.0 Conv2d(1, 32, kernel_size=3, stride=1, padding=1), 3x3";
  const std::string svg =
      report::svg(report::ImageGrid{.title = title, .images = {{1, 1, {0.5}}, {1, 1, {0.25}}}, .columns = 2});
  std::vector<TextElement> title_lines;
  for (const TextElement& t : text_elements(svg))
    if (t.font_size == "15") title_lines.push_back(t);
  REQUIRE(title_lines.size() >= 2);
  std::string joined;
  for (const TextElement& t : title_lines) {
    joined += (joined.empty() ? "" : " ") + t.content;
    // Centred on the 680 px canvas, each line within it (bold words at 0.85 of label_width).
    CHECK(t.x == 340);
    CHECK(0.85 * label_width(t.content, 15) <= 680 - 24);
  }
  CHECK(joined == tg::train::report::escape_html(title));
  CHECK(svg.find("\u2026") == std::string::npos);
  const auto image_y = std::stod(report_test::attribute(svg.substr(svg.find("<image")), "y"));
  CHECK(image_y > title_lines.back().y + 5);
}
