#pragma once
// One axis of a plot: the data range mapped to pixels, with "nice" ticks —
// steps of 1, 2 or 5 x 10^k on a linear axis, whole decades labelled 10^k on a log axis.
#include <string>
#include <vector>

namespace tg::train::report::detail {

struct Tick {
  double value = 0;
  std::string label{};  // SVG text markup; empty for a minor tick (log axes: 2..9 x 10^k)
};

// Whether value can be drawn on an axis: finite, and positive on a log axis.
bool drawable(double value, bool log);

// The smallest and largest finite values seen (positive only, for a log axis).
struct DataRange {
  bool log = false;
  double min = 0, max = 0;
  bool empty = true;
  // Ticks on whole numbers only (epochs, steps): a linear step of at least 1.
  bool integers = false;
  void add(double value);
};

// range grown by fraction of its span at each end (of its decades on a log axis); an
// empty or single-value range is returned as it is (Axis pads those).
DataRange padded(DataRange range, double fraction);

// Labels of a horizontal axis sit side by side, so their widths bound how many ticks fit;
// those of a vertical axis are stacked one text line apart.
enum class Direction { horizontal, vertical };

class Axis {
 public:
  // Covers range on [pixel_from, pixel_to]. widen: extend the ends to the outer ticks (a
  // linear axis) or whole decades (a log axis); otherwise the range is kept as given.
  // An empty range becomes [0, 1] (linear) or [1, 10] (log); a single value is padded.
  // A linear axis has about 6 ticks, fewer when their labels would touch.
  Axis(const DataRange& range, double pixel_from, double pixel_to, bool widen = true,
       Direction direction = Direction::vertical);

  bool log() const { return log_; }
  // Where value goes; the caller has left out non-finite (and, on a log axis, non-positive) values.
  double pixel(double value) const;
  double min() const;  // the ends, in data units
  double max() const;
  const std::vector<Tick>& ticks() const { return ticks_; }

 private:
  bool log_;
  double from_, to_;  // the ends in axis units (log10 of the data on a log axis)
  double pixel_from_, pixel_to_;
  std::vector<Tick> ticks_;
};

// Where a tick label centred at x lies, in pixels, at font_size; moved inward (off centre)
// where it would cross low or high.
struct LabelSpan {
  double left = 0, right = 0;
  double centre() const { return (left + right) / 2; }
};
LabelSpan label_span(double x, const std::string& label, double low, double high, double font_size = 12);
// The least space between two tick labels side by side.
constexpr double min_label_gap = 6;
// Whether spans (left to right) come closer than min_label_gap.
bool spans_collide(const std::vector<LabelSpan>& spans);

// Ticks inside [lo, hi] (the range is not widened) on a horizontal axis of `pixels`: the
// most, at most max_count, whose labels at font_size stay inside [-overhang, pixels +
// overhang] and do not collide (label_span and spans_collide, with 0 at lo); at least one.
std::vector<Tick> fitting_ticks(double lo, double hi, double pixels, double overhang, double font_size,
                                int max_count = 6);

// The step of about `count` ticks over span: 1, 2 or 5 x 10^k.
double nice_step(double span, int count);
// value as a tick label when ticks are `step` apart: just enough decimals ("0.25", "1e-5").
std::string tick_label(double value, double step);
// value with 3 significant digits, for labels that are not ticks ("0.0123", "1.5e-5").
std::string short_label(double value);
// "10<tspan ...>k</tspan>" (a superscript that works in every browser).
std::string decade_label(int exponent);

}  // namespace tg::train::report::detail
