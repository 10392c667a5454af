#include "report/axis.hpp"

#include "report/svg_canvas.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace tg::train::report::detail {

namespace {

constexpr int linear_tick_count = 6;
constexpr int max_labelled_decades = 8;
constexpr int max_decades_with_minor_ticks = 4;

// 1.5e-05 -> 1.5e-5: the exponent as a person writes it.
std::string tidy_exponent(std::string text) {
  const auto e = text.find('e');
  if (e == std::string::npos) return text;
  std::string mantissa = text.substr(0, e);
  const int exponent = std::stoi(text.substr(e + 1));
  return mantissa + "e" + std::to_string(exponent);
}

std::string minus_sign(std::string text) {
  // U+2212 is the typographic minus; a hyphen looks short next to digits.
  std::string out;
  for (char c : text) out += c == '-' ? std::string("\u2212") : std::string(1, c);
  return out;
}

struct LinearTicks {
  double lo = 0, hi = 1;  // the ends, widened to the outer ticks when asked
  std::vector<Tick> ticks{};
};

// About count ticks of a nice step over [lo, hi] (hi > lo); a step of at least 1 for integers.
LinearTicks linear_ticks(double lo, double hi, int count, bool integers, bool widen);

}  // namespace

bool drawable(double value, bool log) { return std::isfinite(value) && (!log || value > 0); }

void DataRange::add(double value) {
  if (!drawable(value, log)) return;
  if (empty) {
    min = max = value;
    empty = false;
  } else {
    min = std::min(min, value);
    max = std::max(max, value);
  }
}

DataRange padded(DataRange range, double fraction) {
  if (range.empty || !(range.max > range.min)) return range;
  if (range.log) {
    // In decades, and within the normal doubles: [1e-300, 1e300] padded by 4% would leave them.
    const double lo = std::log10(range.min), hi = std::log10(range.max), pad = fraction * (hi - lo);
    range.min = std::pow(10.0, std::max(lo - pad, -307.0));
    range.max = std::pow(10.0, std::min(hi + pad, 308.0));
  } else {
    const double pad = (range.max - range.min) * fraction;
    range.min -= pad;
    range.max += pad;
  }
  return range;
}

double nice_step(double span, int count) {
  const double raw = span / std::max(count - 1, 1);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double fraction = raw / magnitude;
  const double nice = fraction < 1.5 ? 1 : fraction < 3.5 ? 2 : fraction < 7.5 ? 5 : 10;
  return nice * magnitude;
}

std::string tick_label(double value, double step) {
  if (std::abs(value) < step * 1e-6) value = 0;  // k * step can land at 1e-17, and -0 must not print
  if (value == 0 && step < 1e-4) return "0";
  const int step_exponent = static_cast<int>(std::floor(std::log10(step) + 1e-9));
  const double magnitude = std::abs(value);
  if (value == 0 || (magnitude >= 1e-4 && magnitude < 1e6 && step >= 1e-4)) {
    const int decimals = std::max(0, -step_exponent);
    return minus_sign(fmt::format("{:.{}f}", value + 0.0, decimals));  // + 0.0 turns -0 into 0
  }
  const int value_exponent = static_cast<int>(std::floor(std::log10(magnitude)));
  const int digits = std::clamp(value_exponent - step_exponent, 0, 15);
  return minus_sign(tidy_exponent(fmt::format("{:.{}e}", value, digits)));
}

std::string short_label(double value) { return minus_sign(tidy_exponent(fmt::format("{:.3g}", value))); }

std::string decade_label(int exponent) {
  return fmt::format("10<tspan dy=\"-0.5em\" font-size=\"75%\">{}</tspan>", minus_sign(std::to_string(exponent)));
}

LabelSpan label_span(double x, const std::string& label, double low, double high, double font_size) {
  const double width = label_width(label, font_size);
  const double left = std::clamp(x - width / 2, low, std::max(low, high - width));
  return {left, left + width};
}

bool spans_collide(const std::vector<LabelSpan>& spans) {
  for (std::size_t i = 1; i < spans.size(); ++i)
    if (spans[i].left - spans[i - 1].right < min_label_gap) return true;
  return false;
}

std::vector<Tick> fitting_ticks(double lo, double hi, double pixels, double overhang, double font_size,
                                int max_count) {
  if (!(hi > lo)) return {{lo, short_label(lo)}};
  for (int count = max_count; count >= 2; --count) {
    const std::vector<Tick> ticks = linear_ticks(lo, hi, count, false, false).ticks;
    std::vector<LabelSpan> spans;
    for (const Tick& t : ticks)
      spans.push_back(
          label_span((t.value - lo) / (hi - lo) * pixels, t.label, -overhang, pixels + overhang, font_size));
    if (!ticks.empty() && !spans_collide(spans)) return ticks;
  }
  // The last resort, one label: the middle nice tick, or the middle of the range when no
  // nice step has a multiple inside it ([0.121, 0.136] and a step of 0.02).
  const std::vector<Tick> ticks = linear_ticks(lo, hi, 2, false, false).ticks;
  if (!ticks.empty()) return {ticks[ticks.size() / 2]};
  return {{(lo + hi) / 2, short_label((lo + hi) / 2)}};
}

Axis::Axis(const DataRange& range, double pixel_from, double pixel_to, bool widen, Direction direction)
    : log_(range.log), pixel_from_(pixel_from), pixel_to_(pixel_to) {
  if (log_) {
    double lo = range.empty ? 0 : std::log10(range.min), hi = range.empty ? 1 : std::log10(range.max);
    if (widen || hi - lo < 1e-12) {
      lo = std::floor(lo + 1e-9);
      hi = std::ceil(hi - 1e-9);
      if (hi <= lo) hi = lo + 1;
    }
    from_ = lo;
    to_ = hi;
    const int first = static_cast<int>(std::ceil(lo - 1e-9)), last = static_cast<int>(std::floor(hi + 1e-9));
    const int decades = last - first;
    const int label_every = std::max(1, (decades + max_labelled_decades - 1) / max_labelled_decades);
    for (int k = first; k <= last; ++k) {
      ticks_.push_back({std::pow(10.0, k), (k - first) % label_every == 0 ? decade_label(k) : std::string{}});
      if (decades > max_decades_with_minor_ticks || k == last) continue;
      for (int m = 2; m <= 9; ++m) ticks_.push_back({m * std::pow(10.0, k), {}});
    }
    std::erase_if(ticks_, [&](const Tick& t) {
      const double l = std::log10(t.value);
      return l < lo - 1e-9 || l > hi + 1e-9;
    });
    return;
  }
  double lo = range.empty ? 0 : range.min, hi = range.empty ? 1 : range.max;
  if (hi - lo <= std::abs(hi) * 1e-12) {
    const double pad = range.integers ? 1.0 : lo != 0 ? std::abs(lo) * 0.1 : 1.0;
    lo -= pad;
    hi += pad;
  }
  // The most ticks (up to linear_tick_count) whose labels fit side by side.
  for (int count = linear_tick_count; count >= 2; --count) {
    LinearTicks candidate = linear_ticks(lo, hi, count, range.integers, widen);
    from_ = candidate.lo;
    to_ = candidate.hi;
    ticks_ = std::move(candidate.ticks);
    if (direction == Direction::vertical) break;
    std::vector<LabelSpan> spans;
    for (const Tick& t : ticks_) spans.push_back(label_span(pixel(t.value), t.label, -1e300, 1e300));
    if (!spans_collide(spans)) break;
  }
}

namespace {

LinearTicks linear_ticks(double lo, double hi, int count, bool integers, bool widen) {
  double step = nice_step(hi - lo, count);
  if (integers) step = std::max(step, 1.0);
  if (widen) {
    lo = std::floor(lo / step + 1e-9) * step;
    hi = std::ceil(hi / step - 1e-9) * step;
  }
  LinearTicks result{lo, hi, {}};
  // Ticks as k * step, never by repeated addition, so 0.1 + 0.2 does not print as 0.30000000000000004.
  // The count is bounded: far from 0 (1e16 + [0, 2]) k + 1 == k in doubles.
  const double first = std::ceil(lo / step - 1e-9);
  const double n = std::floor(hi / step + 1e-9) - first;
  for (int i = 0; n >= 0 && i <= std::min(n, 2.0 * linear_tick_count); ++i)
    result.ticks.push_back({(first + i) * step, tick_label((first + i) * step, step)});
  return result;
}

}  // namespace

double Axis::pixel(double value) const {
  const double v = log_ ? std::log10(value) : value;
  return pixel_from_ + (v - from_) / (to_ - from_) * (pixel_to_ - pixel_from_);
}

double Axis::min() const { return log_ ? std::pow(10.0, from_) : from_; }
double Axis::max() const { return log_ ? std::pow(10.0, to_) : to_; }

}  // namespace tg::train::report::detail
