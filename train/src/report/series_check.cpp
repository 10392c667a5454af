#include "report/series_check.hpp"

#include <tapegrad/error.hpp>

#include <cmath>

namespace tg::train::report::detail {

void check_series(const char* plot_kind, const std::string& title, const char* series_kind, const Series& series,
                  bool x_may_be_empty) {
  if (x_may_be_empty && series.x.empty()) return;
  TG_CHECK(series.x.size() == series.y.size(), "{} '{}': {} '{}' has {} x values and {} y values; they must match{}",
           plot_kind, title, series_kind, series.name, series.x.size(), series.y.size(),
           x_may_be_empty ? " (or x must be empty)" : "");
}

bool all_integers(const std::vector<Series>& series, bool log_x) {
  if (log_x) return false;
  for (const Series& s : series)
    for (double x : s.x)
      if (std::isfinite(x) && x != std::round(x)) return false;
  return true;  // x empty means 0, 1, 2, ...
}

}  // namespace tg::train::report::detail
