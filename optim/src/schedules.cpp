#include "tapegrad/optim/schedules.hpp"

#include <cmath>
#include <numbers>

#include "state_checks.hpp"

namespace tg::optim {

double StepDecay::operator()(double a0, std::int64_t t) const {
  TG_CHECK(step_size >= 1, "StepDecay: step_size must be >= 1, got {}", step_size);
  TG_CHECK(gamma > 0, "StepDecay: gamma must be > 0, got {}", gamma);
  return a0 * std::pow(gamma, static_cast<double>(t / step_size));
}

double ExponentialDecay::operator()(double a0, std::int64_t t) const {
  TG_CHECK(k >= 0, "ExponentialDecay: k must be >= 0, got {}", k);
  return a0 * std::exp(-k * static_cast<double>(t));
}

double InverseTimeDecay::operator()(double a0, std::int64_t t) const {
  TG_CHECK(k >= 0, "InverseTimeDecay: k must be >= 0, got {}", k);
  return a0 / (1 + k * static_cast<double>(t));
}

double CosineAnnealing::operator()(double a0, std::int64_t t) const {
  TG_CHECK(period >= 1, "CosineAnnealing: period must be >= 1, got {}", period);
  TG_CHECK(period_mult >= 1, "CosineAnnealing: period_mult must be >= 1, got {}", period_mult);
  double since_start = 0, current_period = static_cast<double>(period);
  if (!restarts) {
    since_start = static_cast<double>(std::min(t, period));
  } else if (period_mult == 1) {
    since_start = static_cast<double>(t % period);
  } else {
    since_start = static_cast<double>(t);
    while (since_start >= current_period) {
      since_start -= current_period;
      current_period *= period_mult;
    }
  }
  return min_lr + (a0 - min_lr) * (1 + std::cos(std::numbers::pi * since_start / current_period)) / 2;
}

double LinearWarmup::operator()(double a0, std::int64_t t) const {
  TG_CHECK(steps >= 1, "LinearWarmup: steps must be >= 1, got {}", steps);
  if (t < steps) return a0 * static_cast<double>(t + 1) / static_cast<double>(steps);
  return then ? then(a0, t - steps) : a0;
}

LrScheduler::LrScheduler(Optimizer& optimizer, Rate rate) : optimizer_(&optimizer), rate_(std::move(rate)) {
  TG_CHECK(static_cast<bool>(rate_), "LrScheduler: empty rate function");
  TG_CHECK(optimizer.has_option("lr"), "LrScheduler: optimizer {} has no option 'lr'", optimizer.name());
  for (std::size_t g = 0; g < optimizer.num_groups(); ++g) base_lrs_.push_back(optimizer.lr(g));
  apply();
}

void LrScheduler::apply() {
  TG_CHECK(optimizer_->num_groups() == base_lrs_.size(),
           "LrScheduler: the optimizer has {} groups but the scheduler was made for {}; make a new scheduler "
           "after add_param_group",
           optimizer_->num_groups(), base_lrs_.size());
  for (std::size_t g = 0; g < base_lrs_.size(); ++g) optimizer_->set_lr(g, rate_(base_lrs_[g], t_));
}

void LrScheduler::step() {
  ++t_;
  apply();
}

StateDict LrScheduler::state_dict() const {
  StateDict dict;
  dict["t"] = state_scalar(static_cast<double>(t_));
  for (std::size_t g = 0; g < base_lrs_.size(); ++g) dict[fmt::format("base_lr.{}", g)] = state_scalar(base_lrs_[g]);
  return dict;
}

void LrScheduler::load_state_dict(const StateDict& dict) {
  const auto read = [&](const std::string& key) {
    const auto it = dict.find(key);
    TG_CHECK(it != dict.end() && it->second.defined() && it->second.numel() == 1,
             "LrScheduler: load_state_dict: missing or malformed entry '{}'", key);
    return it->second.item();
  };
  TG_CHECK(dict.size() == base_lrs_.size() + 1, "LrScheduler: load_state_dict: expected {} entries, got {}",
           base_lrs_.size() + 1, dict.size());
  std::vector<double> base(base_lrs_.size());
  for (std::size_t g = 0; g < base.size(); ++g) {
    base[g] = read(fmt::format("base_lr.{}", g));
    TG_CHECK(std::isfinite(base[g]) && base[g] >= 0,
             "LrScheduler: load_state_dict: entry 'base_lr.{}' must be a finite learning rate >= 0, got {}", g,
             base[g]);
  }
  const std::int64_t t = detail::checked_count("LrScheduler: load_state_dict", "t", read("t"));
  base_lrs_ = std::move(base);
  t_ = t;
  apply();
}

double momentum_annealing(double start, double end, std::int64_t steps, std::int64_t t) {
  TG_CHECK(steps >= 1, "momentum_annealing: steps must be >= 1, got {}", steps);
  return start + (end - start) * static_cast<double>(std::min(t, steps)) / static_cast<double>(steps);
}

MomentumAnnealing::MomentumAnnealing(Optimizer& optimizer, double start, double end, std::int64_t steps,
                                     std::string option)
    : optimizer_(&optimizer), start_(start), end_(end), steps_(steps), option_(std::move(option)) {
  if (!optimizer.has_option(option_)) {
    std::string names;
    for (const OptionSpec& spec : optimizer.schema()) names += (names.empty() ? "" : ", ") + spec.name;
    fail("MomentumAnnealing: optimizer {} has no option '{}' (its options: {}); pass the option to anneal, "
         "e.g. \"beta1\" for adam",
         optimizer.name(), option_, names);
  }
  TG_CHECK(steps >= 1, "MomentumAnnealing: steps must be >= 1, got {}", steps);
  apply();
}

double MomentumAnnealing::value() const { return momentum_annealing(start_, end_, steps_, t_); }

void MomentumAnnealing::apply() { optimizer_->set_option(option_, value()); }

void MomentumAnnealing::step() {
  ++t_;
  apply();
}

StateDict MomentumAnnealing::state_dict() const { return {{"t", state_scalar(static_cast<double>(t_))}}; }

void MomentumAnnealing::load_state_dict(const StateDict& dict) {
  const std::string who = "MomentumAnnealing: load_state_dict";
  TG_CHECK(dict.size() == 1, "{}: expected 1 entry ('t'), got {}", who, dict.size());
  t_ = detail::read_count(who, dict, "t");
  apply();
}

}  // namespace tg::optim
