// The HTML report: one self-contained page, one <svg> per plot, nice ticks, inline PNGs,
// histograms, an atomic save, and clear errors for bad plots.
#include <doctest/doctest.h>
#include <zlib.h>

#include <tapegrad/error.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "report/axis.hpp"
#include "report/marching_squares.hpp"
#include "report/png.hpp"
#include <tapegrad/train/report/report.hpp>
#include "report_svg_text.hpp"
#include "temp_dir.hpp"

namespace report = tg::train::report;
using report_test::count;
using report_test::path_data;

namespace {

// "" when every element opened in html is closed, in order (void elements and <x/> aside);
// otherwise what is wrong.
std::string unbalanced_tags(const std::string& html) {
  const std::vector<std::string> void_elements = {"meta", "br", "hr", "img", "input", "link"};
  std::vector<std::string> open;
  for (auto at = html.find('<'); at != std::string::npos; at = html.find('<', at + 1)) {
    const auto end = html.find('>', at);
    if (end == std::string::npos) return "a tag is not finished at " + std::to_string(at);
    const std::string tag = html.substr(at + 1, end - at - 1);
    if (tag.starts_with("!")) continue;
    if (tag.starts_with("/")) {
      const std::string name = tag.substr(1);
      if (open.empty() || open.back() != name)
        return "</" + name + "> closes <" + (open.empty() ? std::string("nothing") : open.back()) + ">";
      open.pop_back();
      continue;
    }
    const std::string name = tag.substr(0, tag.find_first_of(" \n/"));
    if (tag.ends_with("/") || std::find(void_elements.begin(), void_elements.end(), name) != void_elements.end())
      continue;
    open.push_back(name);
  }
  return open.empty() ? "" : "<" + open.back() + "> is never closed";
}

std::string base64_decode(const std::string& text) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string bytes;
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    if (c == '=') break;
    bits = (bits << 6) | static_cast<std::uint32_t>(alphabet.find(c));
    count += 6;
    if (count >= 8) {
      count -= 8;
      bytes += static_cast<char>((bits >> count) & 0xFF);
    }
  }
  return bytes;
}

std::uint32_t read_u32(const std::string& bytes, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t k = 0; k < 4; ++k) v = (v << 8) | static_cast<unsigned char>(bytes[at + k]);
  return v;
}

struct PngChunk {
  std::string type, data;
  bool crc_ok = false;
};

std::vector<PngChunk> png_chunks(const std::string& png) {
  std::vector<PngChunk> chunks;
  for (std::size_t at = 8; at + 12 <= png.size();) {
    const std::uint32_t length = read_u32(png, at);
    PngChunk chunk{png.substr(at + 4, 4), png.substr(at + 8, length)};
    const std::string typed = png.substr(at + 4, 4 + length);
    chunk.crc_ok = crc32(0L, reinterpret_cast<const Bytef*>(typed.data()), static_cast<uInt>(typed.size())) ==
                   read_u32(png, at + 8 + length);
    chunks.push_back(chunk);
    at += 12 + length;
  }
  return chunks;
}

std::string inflate(const std::string& packed, std::size_t expected_size) {
  std::string raw(expected_size + 16, '\0');
  uLongf size = static_cast<uLongf>(raw.size());
  const int status = uncompress(reinterpret_cast<Bytef*>(raw.data()), &size,
                                reinterpret_cast<const Bytef*>(packed.data()), static_cast<uLong>(packed.size()));
  REQUIRE(status == Z_OK);
  raw.resize(size);
  return raw;
}

report::ContourPlot bowl() {
  return {.title = "bowl", .f = [](double x, double y) { return x * x / 20 + y * y; }, .x_min = -10, .x_max = 10,
          .y_min = -3, .y_max = 3};
}

}  // namespace

TEST_CASE("report: a page with 4 plots and a table is one self-contained HTML5 file with 4 balanced <svg>") {
  report::Report r("tapegrad bench");
  r.heading("The race");
  r.paragraph("From (-7, 2).");
  r.add(report::LinePlot{.title = "loss", .log_y = true, .series = {{"sgd", {}, {1, 0.5, 0.25}}, {"adam", {}, {1, 0.1, 0.01}}}});
  auto contour = bowl();
  contour.trajectories = {{"sgd", {-7, -5, -3}, {2, 1, 0.5}}};
  r.add(contour);
  r.add(report::HistogramPlot{.title = "weights", .histograms = {report::make_histogram("fc1", {0, 1, 1, 2}, 3)}});
  r.add(report::ImageGrid{.title = "filters", .images = {{2, 2, {0, 1, 2, 3}}}, .columns = 4});
  r.add(report::Table{.title = "summary", .header = {"optimizer", "loss"}, .rows = {{"sgd", "0.25"}, {"adam", "0.01"}}});

  const std::string html = r.html();
  CHECK(r.plots() == 4);
  CHECK(html.starts_with("<!DOCTYPE html>\n"));
  CHECK(html.find("<meta charset=\"utf-8\">") != std::string::npos);
  CHECK(count(html, "<svg") == 4);
  CHECK(count(html, "</svg>") == 4);
  CHECK(count(html, "viewBox=\"0 0 680 ") == 4);
  CHECK(count(html, "<table>") == 1);
  CHECK(count(html, "<th>") == 2);
  CHECK(html.find("<script") == std::string::npos);
  std::string without_xmlns = html;
  const std::string xmlns = "xmlns=\"http://www.w3.org/2000/svg\"";
  for (auto at = without_xmlns.find(xmlns); at != std::string::npos; at = without_xmlns.find(xmlns))
    without_xmlns.erase(at, xmlns.size());
  CHECK(without_xmlns.find("http://") == std::string::npos);
  CHECK(without_xmlns.find("https://") == std::string::npos);
  CHECK(unbalanced_tags(html) == "");
}

TEST_CASE("report: the tag checker of these tests catches what it should") {
  CHECK(unbalanced_tags("<p><b>x</b></p>") == "");
  CHECK(unbalanced_tags("<p><b>x</p></b>") == "</p> closes <b>");
  CHECK(unbalanced_tags("<svg><path d=\"M0,0\"/>") == "<svg> is never closed");
}

TEST_CASE("report: escape_html escapes the five characters, and titles, names and cells are escaped") {
  CHECK(report::escape_html("<a & 'b'>") == "&lt;a &amp; &#39;b&#39;&gt;");
  CHECK(report::escape_html("say \"hi\"") == "say &quot;hi&quot;");

  report::Report r("<script>alert(1)</script>");
  r.add(report::LinePlot{.title = "a<b", .series = {{"x&y", {}, {1, 2}}}});
  r.add(report::Table{.title = "t", .header = {"<th>"}, .rows = {{"'cell'"}}});
  const std::string html = r.html();
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>") != std::string::npos);
  CHECK(html.find(">a&lt;b</text>") != std::string::npos);
  CHECK(html.find(">x&amp;y</text>") != std::string::npos);
  CHECK(html.find("<th>&lt;th&gt;</th>") != std::string::npos);
  CHECK(html.find("<td>&#39;cell&#39;</td>") != std::string::npos);
}

TEST_CASE("report: ticks step by 1, 2 or 5 x 10^k and print just enough digits") {
  using tg::train::report::detail::nice_step;
  using tg::train::report::detail::tick_label;
  CHECK(nice_step(1, 6) == doctest::Approx(0.2));
  CHECK(nice_step(7, 6) == doctest::Approx(1));
  CHECK(nice_step(0.03, 6) == doctest::Approx(0.005));
  CHECK(nice_step(1800, 6) == doctest::Approx(500));
  CHECK(tick_label(0.1 * 3, 0.1) == "0.3");  // not 0.30000000000000004
  CHECK(tick_label(2.5, 0.5) == "2.5");
  CHECK(tick_label(-1000, 500) == "\u22121000");
  CHECK(tick_label(1e-17, 0.2) == "0.0");  // the same decimals on every tick
  CHECK(tick_label(1.5e-5, 5e-6) == "1.5e\u22125");

  // y in [0.03, 0.97] becomes the axis [0, 1] with ticks every 0.2.
  const std::string svg = report::svg(report::LinePlot{.title = "accuracy", .series = {{"a", {}, {0.03, 0.97}}}});
  for (const char* label : {">0.0</text>", ">0.2</text>", ">0.4</text>", ">0.6</text>", ">0.8</text>", ">1.0</text>"})
    CHECK_MESSAGE(svg.find(label) != std::string::npos, std::string(label));
}

TEST_CASE("report: extreme values neither hang the tick loop nor print nan or inf") {
  const double huge = std::numeric_limits<double>::max();
  for (const std::vector<double>& y : {std::vector<double>{1e16, 1e16 + 2}, std::vector<double>{-huge, huge},
                                       std::vector<double>{5, 5}, std::vector<double>{}}) {
    const std::string svg = report::svg(report::LinePlot{.title = "extreme", .series = {{"s", {}, y}}});
    CHECK(svg.find("nan") == std::string::npos);
    CHECK(svg.find("inf") == std::string::npos);
  }
  // A constant series is padded by 10% to [4.5, 5.5], widened to ticks 0.2 apart: 4.4 .. 5.6.
  const std::string flat = report::svg(report::LinePlot{.title = "flat", .series = {{"s", {}, {5, 5}}}});
  CHECK(flat.find(">4.4</text>") != std::string::npos);
  CHECK(flat.find(">5.0</text>") != std::string::npos);
  CHECK(flat.find(">5.6</text>") != std::string::npos);
}

TEST_CASE("report: a log-y plot of 1e-3..1e2 labels the decades 10^-3 .. 10^2 and leaves out non-positive values") {
  const std::string svg = report::svg(report::LinePlot{
      .title = "loss", .log_y = true, .series = {{"adam", {}, {1e2, 1, 0, -1, 1e-2, 1e-3}}}});
  for (int k = -3; k <= 2; ++k) CHECK_MESSAGE(svg.find(tg::train::report::detail::decade_label(k)) != std::string::npos, k);
  CHECK(svg.find(tg::train::report::detail::decade_label(-4)) == std::string::npos);
  CHECK(svg.find(tg::train::report::detail::decade_label(3)) == std::string::npos);
  CHECK(tg::train::report::detail::decade_label(-3) == "10<tspan dy=\"-0.5em\" font-size=\"75%\">\u22123</tspan>");
  // 0 and -1 break the line in two pieces: M...L... and M...L... (the first path; the
  // marks of the clamped points follow it).
  const auto paths = path_data(svg);
  REQUIRE(!paths.empty());
  CHECK(count(paths[0], "M") == 2);
}

TEST_CASE("report: NaN and Inf points break a line, an isolated point is a dot") {
  const double nan = std::nan(""), inf = INFINITY;
  const auto paths =
      path_data(report::svg(report::LinePlot{.title = "loss", .series = {{"sgd", {}, {1, 2, nan, 3, 4, inf, 5}}}}));
  REQUIRE(paths.size() == 3);  // the line, the lone point's marker, the legend's marker
  CHECK(count(paths[0], "M") == 3);
  CHECK(count(paths[0], "h0") == 1);  // the 5 alone
  CHECK(count(paths[1], "M") == 1);   // and its marker
}

TEST_CASE("report: a 10 000-point series keeps at most 2 points per pixel column, spikes included") {
  std::vector<double> y(10000, 0.0);
  y[5000] = 1;  // the axis is [0, 1]: the spike's top is the top of the plot box, y = 40
  const std::string svg = report::svg(report::LinePlot{.title = "noise", .series = {{"s", {}, y}}});
  const auto paths = path_data(svg);
  REQUIRE(paths.size() == 1);
  const std::size_t points = count(paths[0], ",");
  CHECK(points <= 2 * 584 + 2);  // the box is 584 px wide
  CHECK(points >= 584);
  CHECK(paths[0].find(",40 ") != std::string::npos);
  CHECK(svg.size() < 30000);
}

TEST_CASE("report: make_histogram bins equal widths, puts the max in the last bin, ignores NaN") {
  const report::Histogram h = report::make_histogram("w", {0, 1, 2, 3}, 2);
  CHECK(h.name == "w");
  CHECK(h.counts == std::vector<double>{2, 2});
  CHECK(h.edges == std::vector<double>{0, 1.5, 3});

  const report::Histogram ends = report::make_histogram("w", {0, 10, std::nan("")}, 10);
  CHECK(ends.counts == std::vector<double>{1, 0, 0, 0, 0, 0, 0, 0, 0, 1});

  const report::Histogram empty = report::make_histogram("w", {}, 5);
  CHECK(empty.counts.empty());
  CHECK(empty.edges.empty());
  CHECK(report::make_histogram("w", {std::nan("")}, 5).counts.empty());

  const report::Histogram same = report::make_histogram("w", {5, 5, 5}, 30);
  CHECK(same.counts == std::vector<double>{3});
  CHECK(same.edges == std::vector<double>{5, 5});

  CHECK_THROWS_WITH_AS(report::make_histogram("w", {1}, 0), "make_histogram 'w': bins must be in [1, 10000], got 0",
                       tg::Error);
}

TEST_CASE("report: a histogram plot draws one panel per histogram with its name, range and largest count") {
  const std::string svg = report::svg(report::HistogramPlot{
      .title = "activations",
      .x_label = "value",
      .histograms = {report::make_histogram("layer 1", {-1, 0, 0, 0, 2}, 3), report::make_histogram("layer 2", {}, 3)}});
  CHECK(svg.find(">layer 1</text>") != std::string::npos);
  CHECK(svg.find(">layer 2</text>") != std::string::npos);
  CHECK(svg.find(">max 3</text>") != std::string::npos);
  // Ticks on [-1, 2] every 0.5 (the panel is 315 px wide), ends included.
  CHECK(svg.find(">\u22121.0</text>") != std::string::npos);
  CHECK(svg.find(">0.5</text>") != std::string::npos);
  CHECK(svg.find(">2.0</text>") != std::string::npos);
  CHECK(svg.find(">no values</text>") != std::string::npos);
  CHECK_THROWS_WITH_AS(
      report::svg(report::HistogramPlot{.title = "h", .histograms = {{"bad", {0, 1}, {1, 2}}}}),
      "HistogramPlot 'h': histogram 'bad' has 2 edges and 2 counts; it needs one edge more than counts", tg::Error);
}

TEST_CASE("report: an image is an inline PNG: signature, IHDR 2x2 gray, IDAT a zlib stream of its scaled rows") {
  const std::string svg =
      report::svg(report::ImageGrid{.title = "w", .images = {{2, 2, {-1, 0, 1, 2}}}, .columns = 8});
  const std::string prefix = "href=\"data:image/png;base64,";
  const auto begin = svg.find(prefix);
  REQUIRE(begin != std::string::npos);
  CHECK(svg.find("image-rendering:pixelated") != std::string::npos);
  const auto start = begin + prefix.size();
  const std::string png = base64_decode(svg.substr(start, svg.find('"', start) - start));
  REQUIRE(png.size() > 8);
  CHECK(png.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n"));

  const auto chunks = png_chunks(png);
  REQUIRE(chunks.size() == 3);
  CHECK(chunks[0].type == "IHDR");
  CHECK(read_u32(chunks[0].data, 0) == 2);
  CHECK(read_u32(chunks[0].data, 4) == 2);
  CHECK(chunks[0].data.substr(8) == std::string("\x08\x00\x00\x00\x00", 5));  // 8-bit gray
  CHECK(chunks[1].type == "IDAT");
  CHECK(chunks[2].type == "IEND");
  for (const auto& chunk : chunks) CHECK_MESSAGE(chunk.crc_ok, chunk.type);
  // [-1, 2] scaled to [0, 255]: 0, 85, 170, 255; each row starts with filter byte 0.
  CHECK(inflate(chunks[1].data, 6) == std::string("\x00\x00\x55\x00\xaa\xff", 6));
}

TEST_CASE("report: base64 pads to whole groups of four (RFC 4648 examples)") {
  using tg::train::report::detail::base64;
  CHECK(base64("") == "");
  CHECK(base64("f") == "Zg==");
  CHECK(base64("fo") == "Zm8=");
  CHECK(base64("foo") == "Zm9v");
  CHECK(base64("foobar") == "Zm9vYmFy");
}

TEST_CASE("report: marching squares joins segments into whole iso-lines") {
  using tg::train::report::detail::Grid;
  using tg::train::report::detail::iso_lines;
  // f = i on a 3x3 lattice: f = 0.5 is the straight line x = 0.5 from y = 0 to y = 2.
  const Grid ramp{3, 3, {0, 1, 2, 0, 1, 2, 0, 1, 2}};
  const auto lines = iso_lines(ramp, 0.5);
  REQUIRE(lines.size() == 1);
  REQUIRE(lines[0].size() == 3);
  for (const auto& p : lines[0]) CHECK(p.x == doctest::Approx(0.5));
  CHECK(std::abs(lines[0].front().y - lines[0].back().y) == doctest::Approx(2));

  // A bowl: f = 1.5 is one closed loop around the centre (2, 2) through the 12 cells that are not
  // corners of the lattice: 13 points, the last the same as the first.
  Grid bowl_grid{5, 5, {}};
  for (int j = 0; j < 5; ++j)
    for (int i = 0; i < 5; ++i) bowl_grid.values.push_back((i - 2) * (i - 2) + (j - 2) * (j - 2));
  const auto loops = iso_lines(bowl_grid, 1.5);
  REQUIRE(loops.size() == 1);
  CHECK(loops[0].size() == 13);
  CHECK(loops[0].front().x == loops[0].back().x);
  CHECK(loops[0].front().y == loops[0].back().y);
}

TEST_CASE("report: a contour plot draws its levels and clips trajectories with an id of its own") {
  report::ContourPlot ramp{.title = "ramp", .f = [](double x, double) { return x; }, .x_min = 0, .x_max = 1,
                           .y_min = 0, .y_max = 1, .levels = 4, .log_levels = false};
  // Evenly spaced strictly inside [min f, max f] = [0, 1].
  CHECK(report::svg(ramp).find(">4 levels of f from 0.2 to 0.8</text>") != std::string::npos);

  auto a = bowl(), b = bowl();
  a.trajectories = {{"sgd", {-7, 50, -3}, {2, 1e30, 0.5}}};  // off the plot and back: clipped
  b.trajectories = {{"adam", {-7, -3}, {2, 0.5}}};
  const std::string svg_a = report::svg(a), svg_b = report::svg(b);
  const auto id_at = svg_a.find("<clipPath id=\"");
  REQUIRE(id_at != std::string::npos);
  const std::string id = svg_a.substr(id_at + 14, svg_a.find('"', id_at + 14) - id_at - 14);
  CHECK(svg_a.find("clip-path=\"url(#" + id + ")\"") != std::string::npos);
  CHECK(svg_b.find(id) == std::string::npos);
  CHECK(svg_a.find("e+") == std::string::npos);  // no huge coordinates
  CHECK(svg_a.find(">sgd</text>") != std::string::npos);
}

TEST_CASE("report: save writes the page atomically and names a missing folder") {
  TempDir dir;
  report::Report r("run");
  r.add(report::LinePlot{.title = "loss", .series = {{"sgd", {}, {3, 2, 1}}}});
  r.save(dir.file("report.html"));
  CHECK(dir.entries() == std::set<std::string>{"report.html"});  // no .tmp left behind
  std::ifstream in(dir.file("report.html"), std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  CHECK(text.str() == r.html());

  const std::string missing = dir.file("no_such_folder/report.html");
  CHECK_THROWS_WITH_AS(r.save(missing),
                       doctest::Contains(("report: cannot write '" + missing + "'").c_str()), tg::Error);
}

TEST_CASE("report: bad plots are errors naming the plot and what is wrong") {
  CHECK_THROWS_WITH_AS(report::svg(report::LinePlot{.title = "loss", .series = {{"sgd", {1, 2, 3}, {1, 2}}}}),
                       "LinePlot 'loss': series 'sgd' has 3 x values and 2 y values; they must match (or x must be empty)",
                       tg::Error);
  auto no_f = bowl();
  no_f.f = nullptr;
  CHECK_THROWS_WITH_AS(report::svg(no_f), "ContourPlot 'bowl': f is empty; give the function whose level sets to draw",
                       tg::Error);
  auto flat_x = bowl();
  flat_x.x_min = flat_x.x_max = 1;
  CHECK_THROWS_WITH_AS(report::svg(flat_x), "ContourPlot 'bowl': x_min (1) must be less than x_max (1), both finite",
                       tg::Error);
  auto flipped_y = bowl();
  flipped_y.y_min = 2;
  flipped_y.y_max = -2;
  CHECK_THROWS_WITH_AS(report::svg(flipped_y),
                       "ContourPlot 'bowl': y_min (2) must be less than y_max (-2), both finite", tg::Error);
  auto no_levels = bowl();
  no_levels.levels = 0;
  CHECK_THROWS_WITH_AS(report::svg(no_levels), "ContourPlot 'bowl': levels must be in [1, 100], got 0", tg::Error);
  auto bad_path = bowl();
  bad_path.trajectories = {{"adam", {1, 2}, {1}}};
  CHECK_THROWS_WITH_AS(report::svg(bad_path),
                       "ContourPlot 'bowl': trajectory 'adam' has 2 x values and 1 y values; they must match",
                       tg::Error);
  CHECK_THROWS_WITH_AS(report::svg(report::ImageGrid{.title = "w", .images = {{2, 2, {0, 1, 2, 3}}, {2, 2, {0, 1, 2}}}}),
                       "ImageGrid 'w': image 1 has 3 pixels, expected width*height = 2*2 = 4", tg::Error);
  CHECK_THROWS_WITH_AS(report::svg(report::ImageGrid{.title = "w", .images = {{0, 3, {}}}}),
                       "ImageGrid 'w': image 0 is 0x3; width and height must be >= 1", tg::Error);
  CHECK_THROWS_WITH_AS(report::svg(report::ImageGrid{.title = "w", .columns = 0}),
                       "ImageGrid 'w': columns must be >= 1, got 0", tg::Error);
  report::Report r("r");
  CHECK_THROWS_WITH_AS(r.add(report::Table{.title = "t", .header = {"a", "b"}, .rows = {{"1", "2"}, {"3"}}}),
                       "Table 't': row 1 has 1 cells, the header has 2", tg::Error);
  CHECK_THROWS_AS(r.add(no_f), tg::Error);
  CHECK(r.plots() == 0);  // a failed add leaves no half plot behind
}
