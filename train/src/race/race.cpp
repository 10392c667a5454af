#include <tapegrad/train/race/race.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <tuple>

#include <tapegrad/autograd.hpp>
#include <tapegrad/error.hpp>
#include <tapegrad/optim/first_order.hpp>
#include <tapegrad/optim/registry.hpp>
#include <tapegrad/random.hpp>

#include <tapegrad/train/race/median.hpp>

namespace tg::train {

namespace {

using Clock = std::chrono::steady_clock;

Point point_of(const Tensor& p) {
  const double* v = p.data<double>();
  return {v[0], v[1]};
}

bool in_arena(Point p, double loss) {
  return std::isfinite(loss) && std::fabs(p.x) <= kArenaRadius && std::fabs(p.y) <= kArenaRadius;
}

// The tuner's ranking key of a trial (smaller is better); see LrSearch.
std::tuple<double, std::int64_t> trial_score(const TestFunction& f, const RaceRun& run) {
  const std::int64_t iterations = run.iterations_to_tolerance.value_or(std::numeric_limits<std::int64_t>::max());
  if (run.diverged || std::isnan(run.final_loss)) return {std::numeric_limits<double>::infinity(), iterations};
  const double loss = f.minimum ? run.final_loss : std::max(run.final_loss, f.escape_loss);
  return {loss, iterations};
}

}  // namespace

void RaceSettings::validate() const {
  TG_CHECK(steps >= 1, "bench: --steps must be at least 1, got {}", steps);
  TG_CHECK(tolerance > 0, "bench: --tolerance must be positive, got {}", tolerance);
}

RaceRun run_race(const TestFunction& f, const std::string& optimizer, const optim::Options& options,
                 const RaceSettings& settings) {
  settings.validate();
  const std::vector<double> start{f.start.x, f.start.y};
  Tensor p = from_vector(start, {2}).requires_grad_();
  const auto opt = optim::create(optimizer, std::vector<Tensor>{p}, options);
  Generator noise(settings.seed);

  RaceRun run;
  run.optimizer = optimizer;
  run.lr = opt->has_option("lr") ? opt->lr() : 0.0;
  run.trajectory.push_back(f.start);
  run.loss.push_back(f.value(f.start.x, f.start.y));
  std::vector<double> step_seconds;
  for (std::int64_t t = 1; t <= settings.steps; ++t) {
    const Tensor r = f.noisy() ? randn({2}, f64, &noise) : Tensor{};
    const auto before = Clock::now();
    opt->step([&] { return f.loss(p, r); });
    step_seconds.push_back(std::chrono::duration<double>(Clock::now() - before).count());
    const Point at = point_of(p);
    const double loss = f.value(at.x, at.y);
    run.trajectory.push_back(at);
    run.loss.push_back(loss);
    if (!in_arena(at, loss)) {
      run.diverged = f.minimum.has_value();
      break;
    }
  }
  run.seconds_per_step = median(step_seconds);
  run.final_loss = run.loss.back();
  // From the end backwards: the start of the final stretch that stays reached, so that a
  // run that dips below the tolerance once and bounces back out does not count as there.
  for (std::size_t i = run.loss.size(); i-- > 0 && f.reached(run.loss[i], settings.tolerance);)
    run.iterations_to_tolerance = static_cast<std::int64_t>(i);
  return run;
}

void LrSearch::validate() const {
  TG_CHECK(min > 0 && max >= min, "bench: the lr search range must satisfy 0 < min <= max, got [{}, {}]", min, max);
  TG_CHECK(points >= 1, "bench: the lr search needs at least 1 point, got {}", points);
  TG_CHECK(steps >= 1, "bench: --tune-steps must be at least 1, got {}", steps);
  TG_CHECK(unbounded_lr > 0 && std::isfinite(unbounded_lr), "bench: --saddle-lr must be a positive number, got {}",
           unbounded_lr);
}

double tune_lr(const TestFunction& f, const std::string& optimizer, const LrSearch& search,
               const RaceSettings& settings) {
  search.validate();
  RaceSettings trial_settings = settings;
  trial_settings.steps = search.steps;
  double best_lr = search.min;
  std::tuple<double, std::int64_t> best_score{std::numeric_limits<double>::infinity(),
                                              std::numeric_limits<std::int64_t>::max()};
  for (int k = 0; k < search.points; ++k) {
    const double fraction = search.points == 1 ? 0.0 : static_cast<double>(k) / (search.points - 1);
    const double lr = search.min * std::pow(search.max / search.min, fraction);
    const auto score = trial_score(f, run_race(f, optimizer, {{"lr", lr}}, trial_settings));
    if (score < best_score) {
      best_score = score;
      best_lr = lr;
    }
  }
  return best_lr;
}

bool is_first_order(const std::string& optimizer) {
  Tensor probe = zeros({1}, f64).requires_grad_();
  const auto opt = optim::create(optimizer, std::vector<Tensor>{probe});
  return dynamic_cast<const optim::FirstOrderOptimizer*>(opt.get()) != nullptr;
}

bool has_lr_option(const std::string& optimizer) {
  for (const optim::OptionSpec& spec : optim::find_optimizer(optimizer).options)
    if (spec.name == "lr") return true;
  return false;
}

std::vector<RaceRun> race(const TestFunction& f, const std::vector<Contestant>& contestants,
                          const RaceSettings& settings, const LrSearch& search) {
  search.validate();
  std::vector<RaceRun> runs;
  for (const Contestant& c : contestants) {
    const bool lr_free = !c.lr && has_lr_option(c.optimizer) && is_first_order(c.optimizer);
    const bool tune = lr_free && f.minimum.has_value();
    optim::Options options;
    if (c.lr) options.set("lr", *c.lr);
    if (lr_free) options.set("lr", tune ? tune_lr(f, c.optimizer, search, settings) : search.unbounded_lr);
    RaceRun run = run_race(f, c.optimizer, options, settings);
    run.lr_tuned = tune;
    runs.push_back(std::move(run));
  }
  return runs;
}

}  // namespace tg::train
