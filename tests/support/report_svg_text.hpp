#pragma once
// Reading facts back out of the report's SVG and HTML text in tests: the path data, the
// text elements with where they sit, and counts of a substring.
#include <cstdlib>
#include <string>
#include <vector>

namespace report_test {

inline std::size_t count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
  return n;
}

// The d attributes of the <path> elements in svg, in order.
inline std::vector<std::string> path_data(const std::string& svg) {
  std::vector<std::string> paths;
  for (auto at = svg.find("<path d=\""); at != std::string::npos; at = svg.find("<path d=\"", at + 1)) {
    const auto begin = at + 9;
    paths.push_back(svg.substr(begin, svg.find('"', begin) - begin));
  }
  return paths;
}

// The value of attribute name in one element's text, or "".
inline std::string attribute(const std::string& element, const std::string& name) {
  const std::string key = " " + name + "=\"";
  const auto at = element.find(key);
  if (at == std::string::npos) return "";
  const auto begin = at + key.size();
  return element.substr(begin, element.find('"', begin) - begin);
}

struct TextElement {
  double x = 0, y = 0;
  std::string anchor{}, font_size{}, content{};  // content: the markup between the tags
};

// Every <text> element of svg, in order.
inline std::vector<TextElement> text_elements(const std::string& svg) {
  std::vector<TextElement> texts;
  for (auto at = svg.find("<text "); at != std::string::npos; at = svg.find("<text ", at + 1)) {
    const auto open_end = svg.find('>', at);
    const auto close = svg.find("</text>", open_end);
    const std::string open = svg.substr(at, open_end - at);
    texts.push_back({std::strtod(attribute(open, "x").c_str(), nullptr), std::strtod(attribute(open, "y").c_str(), nullptr),
                     attribute(open, "text-anchor"), attribute(open, "font-size"),
                     svg.substr(open_end + 1, close - open_end - 1)});
  }
  return texts;
}

}  // namespace report_test
