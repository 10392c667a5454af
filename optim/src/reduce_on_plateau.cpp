#include <cmath>
#include <limits>

#include "state_checks.hpp"
#include "tapegrad/optim/schedules.hpp"

namespace tg::optim {

ReduceOnPlateau::ReduceOnPlateau(Optimizer& optimizer, PlateauOptions options)
    : optimizer_(&optimizer),
      options_(options),
      best_(options.maximize ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity()) {
  TG_CHECK(options.factor > 0 && options.factor < 1, "ReduceOnPlateau: factor must be in (0, 1), got {}",
           options.factor);
  TG_CHECK(options.patience >= 0 && options.cooldown >= 0 && options.threshold >= 0 && options.min_lr >= 0,
           "ReduceOnPlateau: patience, cooldown, threshold and min_lr must be >= 0");
  TG_CHECK(optimizer.has_option("lr"), "ReduceOnPlateau: optimizer {} has no option 'lr'", optimizer.name());
}

bool ReduceOnPlateau::step(double metric) {
  TG_CHECK(!std::isnan(metric), "ReduceOnPlateau: the metric is NaN");
  // Relative threshold: an improvement must beat best by a fraction `threshold` of it.
  const bool improved = options_.maximize ? metric > best_ + std::fabs(best_) * options_.threshold
                                          : metric < best_ - std::fabs(best_) * options_.threshold;
  if (improved || std::isinf(best_)) {
    best_ = metric;
    bad_steps_ = 0;
  } else {
    ++bad_steps_;
  }
  if (cooldown_left_ > 0) {
    --cooldown_left_;
    bad_steps_ = 0;
  }
  if (bad_steps_ <= options_.patience) return false;
  for (std::size_t g = 0; g < optimizer_->num_groups(); ++g)
    optimizer_->set_lr(g, std::max(optimizer_->lr(g) * options_.factor, options_.min_lr));
  cooldown_left_ = options_.cooldown;
  bad_steps_ = 0;
  return true;
}

StateDict ReduceOnPlateau::state_dict() const {
  return {{"best", state_scalar(best_)},
          {"bad_steps", state_scalar(static_cast<double>(bad_steps_))},
          {"cooldown_left", state_scalar(static_cast<double>(cooldown_left_))}};
}

void ReduceOnPlateau::load_state_dict(const StateDict& dict) {
  const auto read = [&](const char* key) {
    const auto it = dict.find(key);
    TG_CHECK(it != dict.end() && it->second.defined() && it->second.numel() == 1,
             "ReduceOnPlateau: load_state_dict: missing or malformed entry '{}'", key);
    return it->second.item();
  };
  const std::string who = "ReduceOnPlateau: load_state_dict";
  const double best = read("best");
  TG_CHECK(!std::isnan(best), "{}: entry 'best' must be a number, got {}", who, best);
  const std::int64_t bad = detail::checked_count(who, "bad_steps", read("bad_steps"));
  const std::int64_t cooldown = detail::checked_count(who, "cooldown_left", read("cooldown_left"));
  best_ = best;
  bad_steps_ = bad;
  cooldown_left_ = cooldown;
}

}  // namespace tg::optim
