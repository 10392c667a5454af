// TrainingSchedule: one ScheduleSpec applied to an optimizer with the classes of
// tapegrad/optim/schedules.hpp (LrScheduler for the warm-up and the closed-form rules,
// ReduceOnPlateau, MomentumAnnealing).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <string>

#include <tapegrad/error.hpp>
#include <tapegrad/optim/options.hpp>
#include <tapegrad/optim/registry.hpp>
#include <tapegrad/tensor.hpp>
#include <tapegrad/train/schedule.hpp>

namespace tg::train {

namespace {

constexpr const char* kWho = "TrainingSchedule: load_state_dict";

const optim::OptionSpec& option_spec(const optim::Optimizer& optimizer, std::string_view name) {
  return optim::find_option(optimizer.name(), optimizer.schema(), name);
}

std::int64_t steps_of(std::int64_t steps, std::int64_t epochs, std::int64_t steps_per_epoch, std::int64_t fallback) {
  if (steps > 0) return steps;
  if (epochs > 0) return epochs * steps_per_epoch;
  return fallback;
}

// The entries of dict under "<prefix>.", without the prefix.
optim::StateDict sub_dict(const optim::StateDict& dict, const std::string& prefix) {
  optim::StateDict out;
  for (const auto& [key, value] : dict)
    if (key.starts_with(prefix + ".")) out[key.substr(prefix.size() + 1)] = value;
  return out;
}

void put(optim::StateDict& dict, const std::string& prefix, const optim::StateDict& part) {
  for (const auto& [key, value] : part) dict[prefix + "." + key] = value;
}

double read_scalar(const optim::StateDict& dict, const std::string& key) {
  const auto it = dict.find(key);
  TG_CHECK(it != dict.end() && it->second.defined() && it->second.numel() == 1,
           "{}: missing or malformed entry '{}'", kWho, key);
  return it->second.item();
}

}  // namespace

TrainingSchedule::TrainingSchedule(const ScheduleSpec& spec, optim::Optimizer& optimizer, std::int64_t steps_per_epoch,
                                   std::int64_t epochs)
    : spec_(spec), optimizer_(&optimizer), steps_per_epoch_(steps_per_epoch) {
  validate(spec_);
  TG_CHECK(steps_per_epoch >= 1 && epochs >= 1,
           "TrainingSchedule: steps_per_epoch and epochs must be >= 1, got {} and {}", steps_per_epoch, epochs);
  TG_CHECK(steps_per_epoch <= std::numeric_limits<std::int64_t>::max() / epochs,
           "TrainingSchedule: {} epochs of {} steps overflow the step count", epochs, steps_per_epoch);
  total_steps_ = steps_per_epoch * epochs;
  warmup_steps_ = steps_of(spec.warmup_steps, spec.warmup_epochs, steps_per_epoch, 0);
  if (spec.rule == LrRule::cosine) {
    if (spec.period) {
      cosine_period_ = *spec.period;
    } else {
      // The run after the warm-up, in the rule's units, split into restarts + 1 cycles of
      // P, P m, P m^2, ...: P = length / (1 + m + ... + m^restarts), rounded up so the last
      // cycle never restarts just before the end.
      const std::int64_t after = std::max<std::int64_t>(total_steps_ - warmup_steps_, 1);
      const std::int64_t length =
          spec.unit() == ScheduleUnit::batch ? after : std::max<std::int64_t>(after / steps_per_epoch, 1);
      double cycles = 0;
      for (std::int64_t i = 0; i <= spec.restarts; ++i) cycles += std::pow(spec.period_mult, static_cast<double>(i));
      cosine_period_ = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(static_cast<double>(length) / cycles)));
    }
  }
  if (closed_form() || warmup_steps_ > 0)
    lr_.emplace(optimizer, [this](double a0, std::int64_t t) { return rate(a0, t); });
  if (spec.rule == LrRule::plateau)
    plateau_.emplace(optimizer, optim::PlateauOptions{.factor = spec.factor,
                                                      .patience = spec.patience,
                                                      .threshold = spec.threshold,
                                                      .maximize = spec.metric == PlateauMetric::accuracy,
                                                      .cooldown = spec.cooldown,
                                                      .min_lr = spec.min_lr.value_or(0)});
  check_rates();
  if (spec.momentum) {
    check_momentum();
    momentum_.emplace(optimizer, spec.momentum_start, spec.momentum_end,
                      std::max<std::int64_t>(1, steps_of(spec.momentum_steps, spec.momentum_epochs, steps_per_epoch,
                                                         total_steps_)),
                      spec.momentum_option);
  }
}

bool TrainingSchedule::closed_form() const { return spec_.rule != LrRule::none && spec_.rule != LrRule::plateau; }

double TrainingSchedule::rule_rate(double a0, std::int64_t t) const {
  const std::int64_t u = spec_.unit() == ScheduleUnit::batch ? t : t / steps_per_epoch_;
  switch (spec_.rule) {
    case LrRule::step: return optim::StepDecay{.step_size = spec_.step_size, .gamma = spec_.gamma}(a0, u);
    case LrRule::exponential: return optim::ExponentialDecay{.k = spec_.k}(a0, u);
    case LrRule::inverse_time: return optim::InverseTimeDecay{.k = spec_.k}(a0, u);
    case LrRule::cosine:
      return optim::CosineAnnealing{.period = cosine_period_,
                                    .min_lr = spec_.min_lr.value_or(kCosineFloorFraction * a0),
                                    .restarts = spec_.restarts > 0,
                                    .period_mult = spec_.period_mult}(a0, u);
    case LrRule::none:
    case LrRule::plateau: return a0;
  }
  return a0;
}

double TrainingSchedule::rate(double a0, std::int64_t t) const {
  if (warmup_steps_ == 0) return rule_rate(a0, t);
  return optim::LinearWarmup{.steps = warmup_steps_, .then = [this](double a, std::int64_t u) {
                               return rule_rate(a, u);
                             }}(a0, t);
}

// The lowest and highest rates of the run: the warm-up's first, the rule's floor (cosine's
// min_lr, the others' value at the end: they are monotone in t) and a0 itself.
void TrainingSchedule::check_rates() const {
  if (!lr_ && !plateau_) return;
  const optim::OptionSpec& lr = option_spec(*optimizer_, "lr");
  for (const double a0 : lr_ ? lr_->base_lrs() : std::vector<double>{}) {
    std::vector<std::pair<double, std::string>> rates = {{rate(a0, 0), "at the first step"},
                                                         {rate(a0, total_steps_), "at the end"}};
    if (spec_.rule == LrRule::cosine)
      rates.emplace_back(spec_.min_lr.value_or(kCosineFloorFraction * a0), "at the end of a cycle (min_lr)");
    for (const auto& [value, when] : rates)
      TG_CHECK(lr.range.contains(value),
               "schedule '{}': lr {} {} (from lr {}) is refused by optimizer {}, which requires {}; {}",
               lr_rule_name(spec_.rule), value, when, a0, optimizer_->name(), lr.range.str("lr"),
               spec_.rule == LrRule::cosine ? "give cosine a min_lr in that range" : "change the schedule's parameters");
  }
  if (spec_.rule == LrRule::plateau && spec_.min_lr)
    TG_CHECK(lr.range.contains(*spec_.min_lr), "schedule 'plateau': min_lr {} is refused by optimizer {}, which requires {}",
             *spec_.min_lr, optimizer_->name(), lr.range.str("lr"));
}

void TrainingSchedule::check_momentum() const {
  if (!optimizer_->has_option(spec_.momentum_option)) {
    std::string names;
    for (const optim::OptionSpec& option : optimizer_->schema()) names += (names.empty() ? "" : ", ") + option.name;
    fail("schedule 'momentum': optimizer {} has no option '{}' to anneal (its options: {}); choose one with "
         "momentum:option=NAME",
         optimizer_->name(), spec_.momentum_option, names);
  }
  const optim::OptionSpec& option = option_spec(*optimizer_, spec_.momentum_option);
  optim::validate_option("schedule 'momentum': start", option, spec_.momentum_start);
  optim::validate_option("schedule 'momentum': end", option, spec_.momentum_end);
}

void TrainingSchedule::after_step() {
  ++t_;
  // none and plateau: the warm-up only, then the rate stays where the warm-up left it
  // (plateau changes it from there).
  if (lr_ && (closed_form() || lr_->t() < warmup_steps_)) lr_->step();
  if (momentum_) momentum_->step();
}

void TrainingSchedule::after_epoch(double validation_loss, double validation_accuracy) {
  if (!plateau_ || t_ < warmup_steps_) return;
  plateau_->step(spec_.metric == PlateauMetric::loss ? validation_loss : validation_accuracy);
}

optim::StateDict TrainingSchedule::state_dict() const {
  optim::StateDict dict;
  dict["t"] = optim::state_scalar(static_cast<double>(t_));
  for (std::size_t g = 0; g < optimizer_->num_groups(); ++g)
    dict[fmt::format("lr.{}", g)] = optim::state_scalar(optimizer_->lr(g));
  if (lr_) put(dict, "warmup_and_rule", lr_->state_dict());
  if (plateau_) put(dict, "plateau", plateau_->state_dict());
  if (momentum_) put(dict, "momentum", momentum_->state_dict());
  return dict;
}

void TrainingSchedule::load_state_dict(const optim::StateDict& dict) {
  const optim::StateDict expected = state_dict();
  std::set<std::string> missing, unexpected;
  for (const auto& [key, value] : expected)
    if (!dict.contains(key)) missing.insert(key);
  for (const auto& [key, value] : dict)
    if (!expected.contains(key)) unexpected.insert(key);
  TG_CHECK(missing.empty() && unexpected.empty(),
           "{}: the state is of another schedule or optimizer (missing: {}; unexpected: {}); this one is {}", kWho,
           fmt::format("{}", fmt::join(missing, ", ")), fmt::format("{}", fmt::join(unexpected, ", ")),
           describe(spec_));
  const double t = read_scalar(dict, "t");
  TG_CHECK(t >= 0 && t <= 9e15 && t == std::floor(t), "{}: entry 't' must be a step count, got {}", kWho, t);
  std::vector<double> lrs;
  for (std::size_t g = 0; g < optimizer_->num_groups(); ++g) lrs.push_back(read_scalar(dict, fmt::format("lr.{}", g)));
  if (lr_) lr_->load_state_dict(sub_dict(dict, "warmup_and_rule"));
  if (plateau_) plateau_->load_state_dict(sub_dict(dict, "plateau"));
  if (momentum_) momentum_->load_state_dict(sub_dict(dict, "momentum"));
  t_ = static_cast<std::int64_t>(t);
  for (std::size_t g = 0; g < lrs.size(); ++g) optimizer_->set_lr(g, lrs[g]);
}

void check_optimizer_and_schedule(std::string_view optimizer, const optim::Options& options, const ScheduleSpec& spec,
                                  std::int64_t steps_per_epoch, std::int64_t epochs) {
  const Tensor parameter = zeros(Shape{1}).requires_grad_();
  const auto made = optim::create(optimizer, {parameter}, options);
  TrainingSchedule schedule(spec, *made, steps_per_epoch, epochs);
}

}  // namespace tg::train
