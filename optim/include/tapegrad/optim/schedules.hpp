#pragma once
// Schedules that wrap any optimizer by changing a group option between steps
// (docs/formulas.md, docs/schedules.md): the learning rate by a closed form of the step count t,
// reduce-on-plateau from a validation metric, and momentum annealing 0.5 -> 0.99.
//   optim::LrScheduler schedule(*opt, optim::CosineAnnealing{.period = 100});
//   for (epoch ...) { train(); schedule.step(); }
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tapegrad/optim/optimizer.hpp"

namespace tg::optim {

// The rate after t scheduler steps (t = 0 before the first) for a base rate a0.
using Rate = std::function<double(double a0, std::int64_t t)>;

// a0 * gamma^floor(t / step_size)
struct StepDecay {
  std::int64_t step_size = 1;
  double gamma = 0.1;
  double operator()(double a0, std::int64_t t) const;
};
// a0 * exp(-k*t)
struct ExponentialDecay {
  double k = 0.1;
  double operator()(double a0, std::int64_t t) const;
};
// a0 / (1 + k*t)
struct InverseTimeDecay {
  double k = 0.1;
  double operator()(double a0, std::int64_t t) const;
};
// min_lr + (a0 - min_lr) * (1 + cos(pi * tc / T)) / 2, with tc the steps since the last
// (re)start and T the current period. Without restarts tc = min(t, period) (then stays at
// min_lr); with restarts (SGDR, Loshchilov & Hutter) the rate jumps back to a0 after each
// period, and each period is period_mult times longer than the one before.
struct CosineAnnealing {
  std::int64_t period = 100;
  double min_lr = 0;
  bool restarts = false;
  double period_mult = 1;
  double operator()(double a0, std::int64_t t) const;
};
// a0 * (t + 1) / steps for t < steps, then `then` (counting its t from the end of the
// warm-up; a constant a0 when empty).
struct LinearWarmup {
  std::int64_t steps = 5;
  Rate then{};
  double operator()(double a0, std::int64_t t) const;
};

// Sets every group's lr to rate(a0_g, t), a0_g being the group's lr when the scheduler
// was made: at construction (t = 0) and after each step() (t += 1).
class LrScheduler {
 public:
  LrScheduler(Optimizer& optimizer, Rate rate);
  void step();
  std::int64_t t() const { return t_; }
  const std::vector<double>& base_lrs() const { return base_lrs_; }
  StateDict state_dict() const;  // "t", "base_lr.<g>"
  void load_state_dict(const StateDict& dict);

 private:
  void apply();
  Optimizer* optimizer_;
  Rate rate_;
  std::vector<double> base_lrs_;
  std::int64_t t_ = 0;
};

// "Halve the rate when validation stops improving": after more than `patience` calls of
// step(metric) without an improvement by more than the relative `threshold`, every
// group's lr is multiplied by factor (not below min_lr), then `cooldown` calls pass
// before counting again.
struct PlateauOptions {
  double factor = 0.5;
  std::int64_t patience = 10;
  double threshold = 1e-4;
  bool maximize = false;  // true for metrics that should grow (accuracy)
  std::int64_t cooldown = 0;
  double min_lr = 0;
};

class ReduceOnPlateau {
 public:
  explicit ReduceOnPlateau(Optimizer& optimizer, PlateauOptions options = {});
  bool step(double metric);  // true when it reduced the rate
  double best() const { return best_; }
  std::int64_t bad_steps() const { return bad_steps_; }
  StateDict state_dict() const;  // "best", "bad_steps", "cooldown_left"
  void load_state_dict(const StateDict& dict);

 private:
  Optimizer* optimizer_;
  PlateauOptions options_;
  double best_;
  std::int64_t bad_steps_ = 0, cooldown_left_ = 0;
};

// start + (end - start) * min(t, steps) / steps
double momentum_annealing(double start, double end, std::int64_t steps, std::int64_t t);

// Anneals a group option (momentum by default, e.g. "beta1" for adam) linearly from start
// to end over `steps` calls of step(), then keeps it at end. Sets it at construction too.
class MomentumAnnealing {
 public:
  MomentumAnnealing(Optimizer& optimizer, double start = 0.5, double end = 0.99, std::int64_t steps = 100,
                    std::string option = "momentum");
  void step();
  double value() const;
  std::int64_t t() const { return t_; }
  StateDict state_dict() const;  // "t"
  void load_state_dict(const StateDict& dict);  // sets the option to the value at the loaded t

 private:
  void apply();
  Optimizer* optimizer_;
  double start_, end_;
  std::int64_t steps_, t_ = 0;
  std::string option_;
};

}  // namespace tg::optim
