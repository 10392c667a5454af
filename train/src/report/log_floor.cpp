#include "report/log_floor.hpp"

#include <algorithm>
#include <cmath>

#include "report/axis.hpp"
#include "report/series_check.hpp"

namespace tg::train::report::detail {

namespace {
constexpr double below_the_others = 1e3, below_the_largest = 1e20;
}  // namespace

double log_floor(const std::vector<Series>& series, bool log_x) {
  std::vector<double> lowest;  // each series' smallest positive value
  double largest = 0;
  for (const Series& s : series) {
    DataRange range{.log = true};
    for (std::size_t i = 0; i < s.y.size(); ++i)
      if (drawable(x_at(s, i), log_x)) range.add(s.y[i]);
    if (range.empty) continue;
    lowest.push_back(range.min);
    largest = std::max(largest, range.max);
  }
  if (lowest.size() < 2) return 0;
  std::nth_element(lowest.begin(), lowest.begin() + 1, lowest.end());
  return std::min(lowest[1] / below_the_others, largest / below_the_largest);
}

}  // namespace tg::train::report::detail
