#include "report/svg_canvas.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>

#include <tapegrad/train/report/report.hpp>

namespace tg::train::report::detail {

std::string number(double value) {
  std::string text = fmt::format("{:.2f}", value);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  if (text == "-0") text = "0";
  return text;
}

// The total height is not known until the end, so the opening tag is written last
// (finish) and the body collected here.
SvgCanvas::SvgCanvas(double width, const std::string& title) : width_(width) {
  out_ = fmt::format("<title>{}</title>\n", escape_html(title));
}

void SvgCanvas::line(Point from, Point to, std::string_view attributes) {
  out_ += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" {}/>\n", number(from.x), number(from.y),
                      number(to.x), number(to.y), attributes);
}

void SvgCanvas::rect(double x, double y, double width, double height, std::string_view attributes) {
  out_ += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" {}/>\n", number(x), number(y),
                      number(width), number(height), attributes);
}

void SvgCanvas::circle(Point center, double radius, std::string_view attributes) {
  out_ += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"{}\" {}/>\n", number(center.x), number(center.y),
                      number(radius), attributes);
}

void SvgCanvas::path(std::string_view data, std::string_view attributes) {
  if (data.empty()) return;
  out_ += fmt::format("<path d=\"{}\" {}/>\n", data, attributes);
}

void SvgCanvas::text(Point at, std::string_view markup, std::string_view attributes) {
  out_ += fmt::format("<text x=\"{}\" y=\"{}\" {}>{}</text>\n", number(at.x), number(at.y), attributes, markup);
}

void SvgCanvas::raw(std::string_view element) { out_ += element; }

void SvgCanvas::title(const std::string& title) {
  text({width_ / 2, 22}, label_markup(title), R"(text-anchor="middle" font-size="15" font-weight="bold")");
}

std::string SvgCanvas::finish(double height) && {
  const std::string w = number(width_), h = number(std::ceil(height));
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" "
      "font-family=\"sans-serif\" font-size=\"12\" role=\"img\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n{2}</svg>\n",
      w, h, out_);
}

std::string with_unique_id(std::string svg, std::string_view placeholder) {
  std::uint64_t hash = 14695981039346656037ull;  // FNV-1a, 64 bits
  for (unsigned char c : svg) hash = (hash ^ c) * 1099511628211ull;
  const std::string id = fmt::format("tg{:016x}", hash);
  for (auto at = svg.find(placeholder); at != std::string::npos; at = svg.find(placeholder, at + id.size()))
    svg.replace(at, placeholder.size(), id);
  return svg;
}

std::string label_markup(const std::string& text, std::size_t max_chars) {
  if (text.size() <= max_chars) return escape_html(text);
  std::size_t cut = max_chars - 1;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 sequence
  return escape_html(text.substr(0, cut)) + "\u2026";
}

double label_width(const std::string& text) { return 6.6 * static_cast<double>(text.size()); }

}  // namespace tg::train::report::detail
