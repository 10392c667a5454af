#pragma once
#include <string>

#include <tapegrad/train/report/report.hpp>

namespace tg::train::report::detail {

// A tg::Error naming the plot and the series unless x and y have the same size
// (or, when x_may_be_empty, x is empty: then x is 0, 1, 2, ...).
void check_series(const char* plot_kind, const std::string& title, const char* series_kind, const Series& series,
                  bool x_may_be_empty);

// x[i], or i when x is empty.
inline double x_at(const Series& series, std::size_t i) {
  return series.x.empty() ? static_cast<double>(i) : series.x[i];
}

// Whether every drawable x of every series is a whole number (epochs, steps): then the
// x axis ticks fall on whole numbers only.
bool all_integers(const std::vector<Series>& series, bool log_x);

}  // namespace tg::train::report::detail
