#pragma once
// The search space of `tapegrad search` (CS231n lecture 6, random search): named ranges sampled
// at random, learning rate and regularization on a log scale (10^uniform(log10 low,
// log10 high)), dropout on a linear one; narrowing around the best trials for the next,
// finer stage; and the warning when the best value lies at a border of its range.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tg::train::search {

enum class Scale { log, linear };

struct Range {
  std::string name{};
  double low = 0, high = 1;
  Scale scale = Scale::linear;

  // The position of value in the range as a fraction of its span: in log10 space for
  // a log range. 0 is low, 1 is high.
  double to_unit(double value) const;
  // The inverse of to_unit, clamped to [low, high] (pow's rounding can step outside).
  double from_unit(double unit) const;
  std::string str() const;  // "lr=1e-05:0.1:log", as --range takes it (exact: shortest round-trip digits)
  std::string display() const;  // "lr in [1e-05, 0.1] (log)", 3 significant digits
};

// "name=low:high[:scale]" with scale log or linear. Without a scale, dropout is linear
// and every other name (lr, weight_decay, ...) log. Bad text is a tg::Error naming it.
Range parse_range(const std::string& text);

// Range name -> value of one trial; ordered by name so that it prints and compares stably.
using Configuration = std::map<std::string, double>;

struct SearchSpace {
  std::vector<Range> ranges{};

  const Range& at(const std::string& name) const;  // an error naming the known ranges if absent
  std::string str() const;                         // "dropout=0:0.7:linear lr=1e-05:0.1:log"
};

// lr=1e-5:1e-1:log, weight_decay=1e-6:1e-1:log, dropout=0:0.7:linear.
SearchSpace default_space();
// The ranges of --range texts (the default space when there are none); a name given twice is an error.
SearchSpace parse_space(const std::vector<std::string>& texts);

// The values of trial `trial` of stage `stage`. Value k is drawn from the counter-based
// stream of seed at a counter made of (stage, trial, k), so a trial's values depend only
// on (seed, stage, trial, space), not on which worker runs it or in what order.
Configuration sample(const SearchSpace& space, std::uint64_t seed, int stage, int trial);

// The next, finer space: per range, the span of the best configurations' values (in
// log space for log ranges), widened on each side by `padding` of that span and by at
// least `min_padding` of the original span, clipped to the original range.
SearchSpace narrow(const SearchSpace& original, const std::vector<Configuration>& best, double padding = 0.25,
                   double min_padding = 0.05);

struct BorderWarning {
  std::string range{};
  double value = 0;
  bool upper = false;  // at the high end (else the low end)
  std::string message{};  // "best lr 0.095 lies at the upper border of [1e-05, 0.1]: widen the range"
};

// A warning for each value of best that lies within `fraction` of its range's span
// (log span for log ranges) of a border: the optimum may lie outside the range.
std::vector<BorderWarning> border_warnings(const SearchSpace& space, const Configuration& best,
                                           double fraction = 0.1);

}  // namespace tg::train::search
