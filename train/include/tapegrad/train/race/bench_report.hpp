#pragma once
// The plots of `tapegrad bench` in the HTML report: per test function the trajectories
// over its contour plot and the loss against iteration (log axis when f has a minimum);
// the Fashion-MNIST loss curves on one plot; and each part's table.
#include <cstdint>
#include <string>
#include <vector>

#include <tapegrad/train/race/fashion_race.hpp>
#include <tapegrad/train/race/race.hpp>
#include <tapegrad/train/report/report.hpp>
#include <tapegrad/train/race/step_cost.hpp>
#include <tapegrad/train/race/test_functions.hpp>

namespace tg::train {

// Moving average of values over windows of `window` (shorter at the start): the
// minibatch loss is too noisy to compare curves by eye.
std::vector<double> running_mean(const std::vector<double>& values, std::size_t window);

// The trajectory up to and including its first point outside the plot rectangle, so
// that a run that leaves (diverges, or escapes the saddle) is drawn leaving it.
report::Series trajectory_in_plot(const TestFunction& f, const RaceRun& run);

// The page's opening paragraph: the optimizers and the seed, and, only when the page races
// test functions (function_lrs given), how their learning rates were chosen. The
// Fashion-MNIST and step-cost parts describe themselves in their tables.
std::string bench_intro(const std::vector<std::string>& optimizers, std::uint64_t seed,
                        const LrSearch* function_lrs);

void add_function_race(report::Report& report, const TestFunction& f, const std::vector<RaceRun>& runs,
                       const report::Table& table);
void add_fashion_race(report::Report& report, const std::vector<FashionRun>& runs, const report::Table& table);
void add_step_cost(report::Report& report, const report::Table& table);

}  // namespace tg::train
