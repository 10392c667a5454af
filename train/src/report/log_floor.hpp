#pragma once
// Where a log axis stops: a series that reaches exactly 0 (Newton's method on a quadratic)
// or falls to 1e-299 would otherwise stretch the axis over hundreds of decades and flatten
// every other curve against the top.
#include <vector>

#include <tapegrad/train/report/report.hpp>

namespace tg::train::report::detail {

// Positive values below the returned floor are clamped (drawn as a mark at the bottom edge);
// values <= 0 are always clamped on a log axis. A value is below the floor when it lies
// both more than 3 decades below the smallest value of every other series and more than
// 20 decades below the largest value of all: so far down, a double says no more about it
// than that it is 0 up to rounding (16 digits), and a series that truly spans many decades
// (activations shrinking layer after layer) keeps them. 0 (only values <= 0 clamped) with
// fewer than two series. Only points with a drawable x count.
double log_floor(const std::vector<Series>& series, bool log_x);

}  // namespace tg::train::report::detail
