#pragma once
// A run's schedule: the learning-rate rule, an optional linear warm-up before it and an
// optional momentum annealing, described by one ScheduleSpec (parsed from text for the
// command line) and driven by one TrainingSchedule object that the training loop calls
// after every optimizer step and after every epoch. The formulas are those of
// tapegrad/optim/schedules.hpp; docs/schedules.md has the grammar and examples.
//
// Grammar (parse_schedule): parts joined by '+', each a name and optional key=value pairs:
//   schedule := part ('+' part)*          part := name [':' key '=' value (',' key '=' value)*]
// with at most one learning-rate rule, one warmup and one momentum part, in any order:
//   none                                   the optimizer's lr, unchanged
//   step:step_size=N,gamma=G               a0 * G^floor(t / N)            (default every=epoch)
//   exponential:k=K                        a0 * exp(-K t)                 (default every=epoch)
//   inverse_time:k=K                       a0 / (1 + K t)                 (default every=epoch)
//   cosine:restarts=R,period_mult=M,period=P,min_lr=L
//                                          min_lr + (a0 - min_lr)(1 + cos(pi tc / T)) / 2
//                                          (default every=batch)
//   plateau:factor=F,patience=N,threshold=H,cooldown=C,min_lr=L,metric=loss|accuracy
//                                          lr *= F after more than N epochs without a
//                                          relative improvement by H of the validation metric
//   warmup:steps=N | warmup:epochs=E       a0 (t + 1) / N for the first N steps (batches)
//   momentum:start=S,end=E,steps=N | epochs=N,option=NAME
//                                          NAME = S + (E - S) min(t, N) / N, t in batches
// step, exponential, inverse_time and cosine also take every=batch|epoch: t counts the
// optimizer steps or the whole epochs since the warm-up ended. Examples:
//   "cosine", "cosine:restarts=1,period_mult=2", "step:step_size=3,gamma=0.5",
//   "warmup:steps=500+cosine", "plateau:factor=0.5,patience=2+momentum:start=0.5,end=0.9".
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <tapegrad/optim/optimizer.hpp>
#include <tapegrad/optim/options.hpp>
#include <tapegrad/optim/schedules.hpp>

namespace tg::train {

enum class LrRule { none, step, exponential, inverse_time, cosine, plateau };
enum class ScheduleUnit { batch, epoch };
enum class PlateauMetric { loss, accuracy };

std::string_view lr_rule_name(LrRule rule);  // "none", "step", ..., "plateau"

// cosine's floor when min_lr is not given, as a fraction of each group's initial lr: a
// cosine down to exactly 0 would set lr = 0 on the last step, which an optimizer that
// requires lr > 0 refuses; a thousandth of a0 changes the last steps by nothing that shows.
inline constexpr double kCosineFloorFraction = 1e-3;

struct ScheduleSpec {
  LrRule rule = LrRule::cosine;
  // When t advances for step, exponential, inverse_time and cosine; unset: the rule's
  // default (cosine per batch, the others per epoch). plateau is always per epoch.
  std::optional<ScheduleUnit> every{};

  // step
  std::int64_t step_size = 1;
  double gamma = 0.1;
  // exponential, inverse_time
  double k = 0.1;
  // cosine. Without period, the run after the warm-up is split into restarts + 1 cycles,
  // each period_mult times longer than the one before, that end together with the run.
  // With period, the first cycle has that length (in `every` units) and, if restarts > 0,
  // the rate restarts after every cycle until the run ends; with restarts = 0 it stays at
  // min_lr after period.
  std::int64_t restarts = 0;
  double period_mult = 1;
  std::optional<std::int64_t> period{};
  // cosine's floor (unset: kCosineFloorFraction * a0); plateau's lower bound (unset: 0)
  std::optional<double> min_lr{};
  // plateau (optim::ReduceOnPlateau, called once per epoch with the validation metric)
  double factor = 0.5;
  std::int64_t patience = 2;  // epochs; a short run has few of them
  double threshold = 1e-4;
  std::int64_t cooldown = 0;
  PlateauMetric metric = PlateauMetric::loss;

  // Linear warm-up before the rule (alone: the rule none); 0 steps: no warm-up.
  std::int64_t warmup_steps = 0;
  std::int64_t warmup_epochs = 0;  // instead of warmup_steps: whole epochs of steps

  // Momentum annealing (optim::MomentumAnnealing) of `momentum_option`, from start to end
  // over momentum_steps optimizer steps (or momentum_epochs epochs; both 0: the whole run).
  bool momentum = false;
  double momentum_start = 0.5, momentum_end = 0.99;
  std::int64_t momentum_steps = 0, momentum_epochs = 0;
  std::string momentum_option = "momentum";

  ScheduleUnit unit() const;  // every, or the rule's default
};

// The spec for text in the grammar above, validated. Errors name the part, the key or
// value, and what is accepted ("schedule 'step': unknown key 'size'; step takes:
// step_size, gamma, every").
ScheduleSpec parse_schedule(std::string_view text);

// Range checks of every parameter (parse_schedule runs them); an error names the part,
// the key, the value given and the range.
void validate(const ScheduleSpec& spec);

// One line for a run's header, with every parameter in effect:
// "linear warm-up 500 steps, then cosine per batch to 0.001 a0 (period: the run, restarts 1,
// period_mult 2)".
std::string describe(const ScheduleSpec& spec);

// The object a training loop calls: after_step() after every optimizer step,
// after_epoch() after each epoch's validation. It sets the optimizer's lr (every group,
// from each group's lr when the schedule was made) and the annealed option at
// construction and after each call. t counts optimizer steps (batches); a per-epoch rule
// uses floor((t - warmup) / steps_per_epoch), so its rate changes right after an epoch's
// last step. The constructor refuses a spec whose rates the optimizer would refuse (an
// lr outside its option's range, an annealed option it does not have or whose range
// excludes start or end), so a schedule never stops a valid run midway.
class TrainingSchedule {
 public:
  TrainingSchedule(const ScheduleSpec& spec, optim::Optimizer& optimizer, std::int64_t steps_per_epoch,
                   std::int64_t epochs);
  TrainingSchedule(const TrainingSchedule&) = delete;  // the rate function points at this object
  TrainingSchedule& operator=(const TrainingSchedule&) = delete;

  void after_step();
  void after_epoch(double validation_loss, double validation_accuracy);

  std::int64_t steps() const { return t_; }  // after_step calls so far
  std::int64_t warmup_steps() const { return warmup_steps_; }

  // Everything a resumed run needs to continue bit for bit: the step count, each group's
  // base and current lr, the plateau's bookkeeping and the annealing's step count.
  optim::StateDict state_dict() const;
  void load_state_dict(const optim::StateDict& dict);

 private:
  double rule_rate(double a0, std::int64_t t) const;  // t counts steps after the warm-up
  double rate(double a0, std::int64_t t) const;
  void check_rates() const;
  void check_momentum() const;
  bool closed_form() const;  // the rule sets lr from t alone (not none or plateau)

  ScheduleSpec spec_;
  optim::Optimizer* optimizer_;
  std::int64_t steps_per_epoch_, total_steps_, warmup_steps_, cosine_period_ = 1;
  std::int64_t t_ = 0;
  std::optional<optim::LrScheduler> lr_;
  std::optional<optim::ReduceOnPlateau> plateau_;
  std::optional<optim::MomentumAnnealing> momentum_;
};

// The errors a run would meet when it makes its optimizer and schedule, met before any
// data loads: makes the registered optimizer with options on a one-element parameter and
// the schedule on it, for a run of epochs of steps_per_epoch steps.
void check_optimizer_and_schedule(std::string_view optimizer, const optim::Options& options, const ScheduleSpec& spec,
                                  std::int64_t steps_per_epoch, std::int64_t epochs);

}  // namespace tg::train
