#pragma once
// The optimizer race on a 2-D test function: each optimizer starts from the function's
// start point and takes a fixed number of steps; the race records the trajectory, the
// clean loss at every point, the iterations to reach the tolerance, the final loss and
// the time per step. Learning rates are given or tuned by a short log-grid search.
// No global state: everything a run needs is in its arguments.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <tapegrad/optim/options.hpp>

#include <tapegrad/train/race/test_functions.hpp>

namespace tg::train {

struct RaceSettings {
  std::int64_t steps = 500;
  double tolerance = 1e-6;  // success: f - f_min < tolerance (see TestFunction::reached)
  std::uint64_t seed = 0;   // the gradient noise of noisy functions

  void validate() const;
};

// A run stops early when |x| or |y| exceeds this or the loss is not finite: on a
// function with a minimum it has diverged, on the saddle it has escaped for good.
inline constexpr double kArenaRadius = 1e6;

struct RaceRun {
  std::string optimizer{};
  double lr = 0;          // the optimizer's lr (0 if it has none)
  bool lr_tuned = false;  // chosen by tune_lr
  std::vector<Point> trajectory{};  // the start, then the point after each step
  std::vector<double> loss{};       // the clean f at each trajectory point
  // The first i from which every loss[j], j >= i, has reached the tolerance (none if the
  // last one has not).
  std::optional<std::int64_t> iterations_to_tolerance{};
  double final_loss = 0;                                  // loss.back()
  bool diverged = false;
  double seconds_per_step = 0;  // median of step(closure), including the loss and its backward
};

// Runs optimizer (created with options, e.g. {{"lr", 0.1}}) on f. Every optimizer steps
// through step(closure), so L-BFGS and newton run too (one step() of L-BFGS is up to
// max_iter inner iterations).
RaceRun run_race(const TestFunction& f, const std::string& optimizer, const optim::Options& options,
                 const RaceSettings& settings);

// The learning-rate search: `points` log-spaced values over [min, max] (both ends
// included), each run for `steps` steps with the race's seed. The winner has the lowest
// final loss, where loss below a saddle's escape_loss counts as escape_loss (every
// escape is as good) and ties go to fewer iterations to the tolerance, then to the
// smaller lr.
struct LrSearch {
  double min = 1e-4, max = 1.0;
  int points = 13;
  std::int64_t steps = 50;
  // On a function unbounded below (the saddle) the search would pick the largest lr
  // (every escape looks alike), so lrs not given are this one, shared by all: the
  // seed's side-by-side comparison (SGD stalls, adaptive methods escape).
  double unbounded_lr = 0.01;

  void validate() const;
};
double tune_lr(const TestFunction& f, const std::string& optimizer, const LrSearch& search,
               const RaceSettings& settings);

// Whether the registered optimizer updates each parameter from its gradient alone
// (optim::FirstOrderOptimizer), as opposed to L-BFGS and newton.
bool is_first_order(const std::string& optimizer);
bool has_lr_option(const std::string& optimizer);

// One contestant: its lr when given; otherwise tuned (first-order optimizers with an lr
// option; on a function without a minimum, LrSearch::unbounded_lr) or the optimizer's
// own default.
struct Contestant {
  std::string optimizer{};
  std::optional<double> lr{};
};
std::vector<RaceRun> race(const TestFunction& f, const std::vector<Contestant>& contestants,
                          const RaceSettings& settings, const LrSearch& search);

}  // namespace tg::train
