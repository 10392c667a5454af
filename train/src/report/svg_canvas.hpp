#pragma once
// A tiny SVG writer: one <svg> element built up as text, numbers printed compactly.
// Attribute strings are passed through as written; text content must already be escaped.
#include <string>
#include <string_view>

namespace tg::train::report::detail {

struct Point {
  double x = 0, y = 0;
};

// At most two decimals, no trailing zeros ("12.5", "3", "-0.25"): a tenth of a pixel is
// invisible and the files stay small.
std::string number(double value);

class SvgCanvas {
 public:
  // An <svg> of the given width with a <title> (escaped here); its height is set by finish.
  SvgCanvas(double width, const std::string& title);

  void line(Point from, Point to, std::string_view attributes);
  void rect(double x, double y, double width, double height, std::string_view attributes);
  void circle(Point center, double radius, std::string_view attributes);
  void path(std::string_view data, std::string_view attributes);
  // markup: escaped text, may contain <tspan> elements.
  void text(Point at, std::string_view markup, std::string_view attributes);
  void raw(std::string_view element);  // e.g. <g ...> ... </g> or <defs>

  // The plot title, centred at the top, on one line (cut to 80 characters). wrap: broken at
  // spaces into as many lines as it takes to fit the width, nothing cut. Returns the y of
  // the last line's baseline.
  double title(const std::string& title, bool wrap = false);

  double width() const { return width_; }
  // Closes the element; the height may have grown while drawing (e.g. a legend that wrapped).
  std::string finish(double height) &&;

 private:
  std::string out_;
  double width_;
};

// Element ids share one namespace across the whole page, so an SVG that needs one (a
// clipPath) writes `placeholder` and this replaces it by an id made from a hash of the
// SVG: different plots get different ids, identical plots identical definitions.
std::string with_unique_id(std::string svg, std::string_view placeholder);

// The text of a plot, series name or label, escaped and cut to max_chars (with an ellipsis).
std::string label_markup(const std::string& text, std::size_t max_chars = 80);
// The width of text in pixels at font_size, a little more than DejaVu Sans (the usual
// sans-serif) needs: narrow punctuation 0.32 em, wide letters and the minus sign 0.9 em,
// everything else 0.64 em (digits are 0.636 em). Markup (<tspan ...>) counts nothing and
// an entity (&amp;) one character.
double label_width(const std::string& text, double font_size = 12);

}  // namespace tg::train::report::detail
