#include "report/svg_canvas.hpp"

#include <fmt/format.h>

#include <cmath>
#include <algorithm>
#include <cstdint>
#include <vector>

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

double SvgCanvas::title(const std::string& title, bool wrap) {
  constexpr double font_size = 15, line_height = 19, first_baseline = 22;
  constexpr auto attributes = R"(text-anchor="middle" font-size="15" font-weight="bold")";
  if (!wrap) {
    text({width_ / 2, first_baseline}, label_markup(title), attributes);
    return first_baseline;
  }
  // label_width bounds digits; words of bold text average about 0.85 of it.
  const double room = width_ - 24;
  std::vector<std::string> lines{""};
  std::size_t at = 0;
  while (at < title.size()) {
    const std::size_t space = title.find(' ', at);
    const std::string word = title.substr(at, space == std::string::npos ? std::string::npos : space - at);
    const std::string joined = lines.back().empty() ? word : lines.back() + " " + word;
    if (!lines.back().empty() && 0.85 * label_width(joined, font_size) > room) lines.push_back(word);
    else lines.back() = joined;
    at = space == std::string::npos ? title.size() : space + 1;
  }
  double y = first_baseline;
  for (std::size_t i = 0; i < lines.size(); ++i, y += line_height)
    text({width_ / 2, y}, escape_html(lines[i]), attributes);
  return y - line_height;
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

double label_width(const std::string& text, double font_size) {
  double ems = 0;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '<' || c == '&') {  // a tag counts nothing, an entity one character
      const std::size_t end = text.find(c == '<' ? '>' : ';', i);
      if (end != std::string::npos) {
        ems += c == '&' ? 0.64 : 0;
        i = end + 1;
        continue;
      }
    }
    const auto byte = static_cast<unsigned char>(c);
    std::size_t length = byte < 0x80 ? 1 : byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2;
    length = std::min(length, text.size() - i);
    const std::string_view glyph(text.data() + i, length);
    if (glyph.size() == 1 && std::string_view(" .,:;!|'ijl").find(c) != std::string_view::npos) ems += 0.32;
    else if (glyph == "\u2212" || glyph == "\u2014" || std::string_view("mwMW@%").find(c) != std::string_view::npos)
      ems += 0.9;
    else ems += 0.64;
    i += length;
  }
  return ems * font_size;
}

}  // namespace tg::train::report::detail
