// tapegrad/train/schedule.hpp: the grammar, its errors, and the rates a TrainingSchedule
// sets step after step, hand-computed from the formulas in the header.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <tapegrad/optim/optim.hpp>
#include <tapegrad/tapegrad.hpp>
#include <tapegrad/train/schedule.hpp>

#include "check_error.hpp"
#include "apps/plugins/positive_lr_sgd.hpp"

using tg::Tensor;
namespace optim = tg::optim;
namespace train = tg::train;

namespace {

constexpr std::int64_t kStepsPerEpoch = 4;
constexpr double kA0 = 0.1;

std::unique_ptr<optim::Optimizer> make_optimizer(const std::string& name = "momentum", double lr = kA0) {
  const Tensor x = tg::from_vector(std::vector<double>{1.0}, tg::Shape{1}).requires_grad_();
  return optim::create(name, {x}, {{"lr", lr}});
}

// The lr at t = 0, 1, ..., epochs * kStepsPerEpoch (the last: after the run's last step),
// after_epoch getting the losses in order (loss 1 when none are given).
std::vector<double> lrs(const std::string& text, std::int64_t epochs, const std::vector<double>& losses = {}) {
  auto opt = make_optimizer();
  train::TrainingSchedule schedule(train::parse_schedule(text), *opt, kStepsPerEpoch, epochs);
  std::vector<double> out{opt->lr()};
  for (std::int64_t epoch = 0; epoch < epochs; ++epoch) {
    for (std::int64_t s = 0; s < kStepsPerEpoch; ++s) {
      schedule.after_step();
      if (s + 1 < kStepsPerEpoch) out.push_back(opt->lr());
    }
    schedule.after_epoch(epoch < static_cast<std::int64_t>(losses.size()) ? losses[epoch] : 1.0, 0.5);
    out.push_back(opt->lr());
  }
  return out;
}

void check_lrs(const std::vector<double>& actual, const std::function<double(std::int64_t)>& expected) {
  for (std::size_t t = 0; t < actual.size(); ++t) {
    INFO("t = " << t);
    CHECK(actual[t] == doctest::Approx(expected(static_cast<std::int64_t>(t))).epsilon(1e-12));
  }
}

double cosine(double a0, double floor, double tc, double period) {
  return floor + (a0 - floor) * (1 + std::cos(std::numbers::pi * tc / period)) / 2;
}

}  // namespace

TEST_CASE("parse_schedule reads every rule and its parameters") {
  const train::ScheduleSpec plain = train::parse_schedule("cosine");
  CHECK(plain.rule == train::LrRule::cosine);
  CHECK(plain.unit() == train::ScheduleUnit::batch);
  CHECK(!plain.min_lr);
  CHECK(plain.warmup_steps == 0);

  const train::ScheduleSpec restarts = train::parse_schedule("cosine:restarts=1,period_mult=2,min_lr=1e-5");
  CHECK(restarts.restarts == 1);
  CHECK(restarts.period_mult == 2);
  CHECK(*restarts.min_lr == 1e-5);

  const train::ScheduleSpec step = train::parse_schedule("step:step_size=3,gamma=0.5");
  CHECK(step.rule == train::LrRule::step);
  CHECK(step.step_size == 3);
  CHECK(step.gamma == 0.5);
  CHECK(step.unit() == train::ScheduleUnit::epoch);

  CHECK(train::parse_schedule("exponential:k=0.05,every=batch").unit() == train::ScheduleUnit::batch);
  CHECK(train::parse_schedule("inverse_time:k=0.2").k == 0.2);
  CHECK(train::parse_schedule("none").rule == train::LrRule::none);

  const train::ScheduleSpec plateau =
      train::parse_schedule("plateau:factor=0.25,patience=3,threshold=0.01,cooldown=1,min_lr=1e-6,metric=accuracy");
  CHECK(plateau.rule == train::LrRule::plateau);
  CHECK(plateau.factor == 0.25);
  CHECK(plateau.patience == 3);
  CHECK(plateau.threshold == 0.01);
  CHECK(plateau.cooldown == 1);
  CHECK(*plateau.min_lr == 1e-6);
  CHECK(plateau.metric == train::PlateauMetric::accuracy);

  const train::ScheduleSpec warm = train::parse_schedule("warmup:steps=500+cosine");
  CHECK(warm.warmup_steps == 500);
  CHECK(warm.rule == train::LrRule::cosine);
  const train::ScheduleSpec alone = train::parse_schedule("warmup:epochs=2");
  CHECK(alone.warmup_epochs == 2);
  CHECK(alone.rule == train::LrRule::none);

  const train::ScheduleSpec momentum =
      train::parse_schedule("momentum:start=0.8,end=0.95,epochs=3,option=beta1+step:gamma=0.5");
  CHECK(momentum.momentum);
  CHECK(momentum.momentum_start == 0.8);
  CHECK(momentum.momentum_end == 0.95);
  CHECK(momentum.momentum_epochs == 3);
  CHECK(momentum.momentum_option == "beta1");
  CHECK(momentum.rule == train::LrRule::step);
}

TEST_CASE("parse_schedule errors name the schedule, the key or value, and what is accepted") {
  CHECK_ERROR(train::parse_schedule(""), "schedule: empty; expected e.g. 'cosine'");
  CHECK_ERROR(train::parse_schedule("cosin"),
              "schedule: unknown schedule 'cosin'; known: none, step, exponential, inverse_time, cosine, plateau, "
              "warmup, momentum");
  CHECK_ERROR(train::parse_schedule("step:size=3"), "schedule 'step': unknown key 'size'; step takes: step_size, "
                                                    "gamma, every");
  CHECK_ERROR(train::parse_schedule("none:k=1"), "schedule 'none': unknown key 'k'; none takes: no keys");
  CHECK_ERROR(train::parse_schedule("step:gamma"), "schedule 'step': 'gamma' is not key=value");
  CHECK_ERROR(train::parse_schedule("step:gamma=fast"), "schedule 'step': gamma must be a number, got 'fast'");
  CHECK_ERROR(train::parse_schedule("step:gamma="), "schedule 'step': key 'gamma' has no value");
  CHECK_ERROR(train::parse_schedule("step:step_size=1.5"), "schedule 'step': step_size must be an integer, got '1.5'");
  CHECK_ERROR(train::parse_schedule("step:gamma=0.5,gamma=0.2"), "schedule 'step': key 'gamma' is given twice");
  CHECK_ERROR(train::parse_schedule("step:step_size=0"), "schedule 'step': step_size must be an integer >= 1, got 0");
  CHECK_ERROR(train::parse_schedule("step:gamma=-1"), "schedule 'step': gamma must be a number > 0, got -1");
  CHECK_ERROR(train::parse_schedule("exponential:k=-1"), "schedule 'exponential': k must be a number >= 0, got -1");
  CHECK_ERROR(train::parse_schedule("inverse_time:k=-1"), "schedule 'inverse_time': k must be a number >= 0, got -1");
  CHECK_ERROR(train::parse_schedule("cosine:every=week"), "schedule 'cosine': every must be batch or epoch, got 'week'");
  CHECK_ERROR(train::parse_schedule("cosine:restarts=-1"),
              "schedule 'cosine': restarts must be an integer in [0, 1000], got -1");
  CHECK_ERROR(train::parse_schedule("cosine:period_mult=0.5"),
              "schedule 'cosine': period_mult must be a number in [1, 100], got 0.5");
  CHECK_ERROR(train::parse_schedule("cosine:period=0"), "schedule 'cosine': period must be an integer >= 1, got 0");
  CHECK_ERROR(train::parse_schedule("cosine:min_lr=-1"), "schedule 'cosine': min_lr must be a number >= 0, got -1");
  CHECK_ERROR(train::parse_schedule("cosine:min_lr=inf"), "schedule 'cosine': min_lr must be a number, got 'inf'");
  CHECK_ERROR(train::parse_schedule("plateau:factor=1"), "schedule 'plateau': factor must be a number in (0, 1), got 1");
  CHECK_ERROR(train::parse_schedule("plateau:patience=-1"), "schedule 'plateau': patience must be an integer >= 0");
  CHECK_ERROR(train::parse_schedule("plateau:threshold=-1"), "schedule 'plateau': threshold must be a number >= 0");
  CHECK_ERROR(train::parse_schedule("plateau:cooldown=-2"), "schedule 'plateau': cooldown must be an integer >= 0");
  CHECK_ERROR(train::parse_schedule("plateau:metric=f1"), "schedule 'plateau': metric must be loss or accuracy, got 'f1'");
  CHECK_ERROR(train::parse_schedule("plateau:every=batch"), "schedule 'plateau': unknown key 'every'; plateau takes: "
                                                            "factor, patience, threshold, cooldown, min_lr, metric");
  train::ScheduleSpec per_batch_plateau{.rule = train::LrRule::plateau, .every = train::ScheduleUnit::batch};
  CHECK_ERROR(train::validate(per_batch_plateau), "schedule 'plateau': every applies to step, exponential, "
                                                  "inverse_time and cosine; plateau has no t to count");
  CHECK_ERROR(train::parse_schedule("warmup"), "schedule 'warmup': give its length, steps=N or epochs=N (N >= 1)");
  CHECK_ERROR(train::parse_schedule("warmup:steps=-5"), "schedule 'warmup': steps must be an integer >= 0, got -5");
  CHECK_ERROR(train::parse_schedule("warmup:steps=5,epochs=1"), "schedule 'warmup': give steps=5 or epochs=1, not both");
  CHECK_ERROR(train::parse_schedule("momentum:start=x"), "schedule 'momentum': start must be a number, got 'x'");
  CHECK_ERROR(train::parse_schedule("momentum:steps=5,epochs=1"),
              "schedule 'momentum': give steps=5 or epochs=1, not both");
  CHECK_ERROR(train::parse_schedule("step+cosine"),
              "schedule 'step+cosine': 'step' and 'cosine' are both learning-rate rules; give one");
  CHECK_ERROR(train::parse_schedule("warmup:steps=1+warmup:steps=2"),
              "schedule 'warmup:steps=1+warmup:steps=2': 'warmup' is given twice");
  CHECK_ERROR(train::parse_schedule("warmup:steps=1++cosine"), "an empty part between '+'");
}

TEST_CASE("describe names the rule, its unit and every parameter in effect") {
  CHECK(train::describe(train::parse_schedule("cosine")) ==
        "cosine per batch to 0.001 a0 (period: the run, restarts 0, period_mult 1)");
  CHECK(train::describe(train::parse_schedule("warmup:steps=500+step:step_size=3,gamma=0.5")) ==
        "linear warm-up 500 steps, then step decay per epoch (lr x 0.5 every 3 epochs)");
  CHECK(train::describe(train::parse_schedule("plateau+momentum:option=beta1,end=0.95")) ==
        "reduce on plateau of the validation loss (factor 0.5, patience 2, threshold 0.0001, cooldown 0, min_lr 0); "
        "beta1 0.5 -> 0.95 over the run");
}

TEST_CASE("TrainingSchedule step decay per epoch: a0 * gamma^floor(t / steps_per_epoch / step_size)") {
  check_lrs(lrs("step:step_size=2,gamma=0.5", 4),
            [](std::int64_t t) { return kA0 * std::pow(0.5, static_cast<double>(t / kStepsPerEpoch / 2)); });
}

TEST_CASE("TrainingSchedule exponential decay per epoch and per batch") {
  check_lrs(lrs("exponential:k=0.5", 3),
            [](std::int64_t t) { return kA0 * std::exp(-0.5 * static_cast<double>(t / kStepsPerEpoch)); });
  check_lrs(lrs("exponential:k=0.1,every=batch", 3),
            [](std::int64_t t) { return kA0 * std::exp(-0.1 * static_cast<double>(t)); });
}

TEST_CASE("TrainingSchedule inverse-time decay per epoch: a0 / (1 + k floor(t / steps_per_epoch))") {
  check_lrs(lrs("inverse_time:k=0.25", 3),
            [](std::int64_t t) { return kA0 / (1 + 0.25 * static_cast<double>(t / kStepsPerEpoch)); });
}

TEST_CASE("TrainingSchedule cosine: over the whole run to a0/1000, never to 0") {
  const std::vector<double> actual = lrs("cosine", 3);
  check_lrs(actual, [](std::int64_t t) { return cosine(kA0, kA0 * 1e-3, static_cast<double>(t), 12); });
  CHECK(actual.back() == doctest::Approx(kA0 * 1e-3).epsilon(1e-12));
  check_lrs(lrs("cosine:min_lr=0.01,every=epoch", 2),
            [](std::int64_t t) { return cosine(kA0, 0.01, static_cast<double>(t / kStepsPerEpoch), 2); });
}

TEST_CASE("TrainingSchedule cosine with restarts: the cycles P, 2P fill the run") {
  // 6 epochs, one restart, period_mult 2: P = 6 / (1 + 2) = 2 epochs, then 4 epochs.
  check_lrs(lrs("cosine:restarts=1,period_mult=2,every=epoch,min_lr=0", 6), [](std::int64_t t) {
    const std::int64_t u = t / kStepsPerEpoch;
    if (u < 2) return cosine(kA0, 0, static_cast<double>(u), 2);
    return u < 6 ? cosine(kA0, 0, static_cast<double>(u - 2), 4) : kA0;  // u = 6: after the run, a new cycle
  });
  // A given period restarts until the run ends.
  check_lrs(lrs("cosine:period=3,restarts=1,min_lr=0.02", 2),
            [](std::int64_t t) { return cosine(kA0, 0.02, static_cast<double>(t % 3), 3); });
}

TEST_CASE("TrainingSchedule linear warm-up: a0 (t + 1) / N, then the rule counts from the warm-up's end") {
  check_lrs(lrs("warmup:steps=4+cosine", 3), [](std::int64_t t) {
    return t < 4 ? kA0 * static_cast<double>(t + 1) / 4 : cosine(kA0, kA0 * 1e-3, static_cast<double>(t - 4), 8);
  });
  check_lrs(lrs("warmup:epochs=1", 3),
            [](std::int64_t t) { return t < 4 ? kA0 * static_cast<double>(t + 1) / 4 : kA0; });
  check_lrs(lrs("warmup:steps=2+step:gamma=0.5", 3), [](std::int64_t t) {
    return t < 2 ? kA0 * static_cast<double>(t + 1) / 2
                 : kA0 * std::pow(0.5, static_cast<double>((t - 2) / kStepsPerEpoch));
  });
}

TEST_CASE("TrainingSchedule plateau halves lr after more than patience epochs without improvement") {
  // Epoch losses 1, 1, 1, 0.5, 0.5, 0.5 with patience 1: epochs 3 and 6 are the second bad ones.
  const std::vector<double> actual = lrs("plateau:factor=0.5,patience=1", 6, {1, 1, 1, 0.5, 0.5, 0.5});
  check_lrs(actual, [](std::int64_t t) { return t < 12 ? kA0 : t < 24 ? kA0 / 2 : kA0 / 4; });
  // During the warm-up the plateau does not count: two epochs of warm-up, then patience 0.
  // Epoch 2 ends the warm-up and sets the best loss; epochs 3 and 4 are bad.
  check_lrs(lrs("warmup:epochs=2+plateau:patience=0", 4), [](std::int64_t t) {
    if (t < 8) return kA0 * static_cast<double>(t + 1) / 8;
    return t < 12 ? kA0 : t < 16 ? kA0 / 2 : kA0 / 4;
  });
}

TEST_CASE("TrainingSchedule momentum annealing: start + (end - start) min(t, N) / N") {
  auto opt = make_optimizer("momentum");
  train::TrainingSchedule schedule(train::parse_schedule("none+momentum:start=0.5,end=0.9,steps=4"), *opt, 4, 2);
  for (std::int64_t t = 0; t <= 8; ++t) {
    INFO("t = " << t);
    CHECK(opt->option(0, "momentum").to_number() ==
          doctest::Approx(0.5 + 0.4 * static_cast<double>(std::min<std::int64_t>(t, 4)) / 4));
    CHECK(opt->lr() == kA0);
    schedule.after_step();
  }
}

TEST_CASE("TrainingSchedule refuses rates and options the optimizer would refuse mid-run") {
  const Tensor x = tg::from_vector(std::vector<double>{1.0}, tg::Shape{1}).requires_grad_();
  tg::test::PositiveLrSgd positive({optim::ParamGroup{{x}, {}}}, {{"lr", 0.1}});
  {
    // The default cosine runs it to the end: its last lr is a0/1000.
    train::TrainingSchedule schedule(train::parse_schedule("cosine"), positive, 3, 2);
    for (int t = 0; t < 6; ++t) schedule.after_step();
    CHECK(positive.lr() == doctest::Approx(1e-4));
  }
  positive.set_lr(0.1);
  CHECK_ERROR(train::TrainingSchedule(train::parse_schedule("cosine:min_lr=0"), positive, 3, 2),
              "schedule 'cosine': lr 0 at the end (from lr 0.1) is refused by optimizer positive_lr_sgd, which "
              "requires lr > 0; give cosine a min_lr in that range");
  CHECK_ERROR(train::TrainingSchedule(train::parse_schedule("plateau:min_lr=0"), positive, 3, 2),
              "schedule 'plateau': min_lr 0 is refused by optimizer positive_lr_sgd, which requires lr > 0");
  auto adam = make_optimizer("adam");
  CHECK_ERROR(train::TrainingSchedule(train::parse_schedule("momentum"), *adam, 3, 2),
              "schedule 'momentum': optimizer adam has no option 'momentum' to anneal (its options: lr, beta1");
  CHECK_ERROR(train::TrainingSchedule(train::parse_schedule("momentum:option=beta1,end=1"), *adam, 3, 2),
              "schedule 'momentum': end: option 'beta1' must satisfy 0 <= beta1 < 1, got 1");
}

TEST_CASE("TrainingSchedule state_dict: a resumed schedule continues bit for bit") {
  const std::string text = "warmup:steps=3+plateau:patience=0,factor=0.3+momentum:start=0.5,end=0.95";
  for (const std::string& spec : {text, std::string("cosine:restarts=2,period_mult=1.5"), std::string("step:gamma=0.7")}) {
    INFO(spec);
    auto straight = make_optimizer();
    train::TrainingSchedule a(train::parse_schedule(spec), *straight, kStepsPerEpoch, 5);
    for (int s = 0; s < 6; ++s) a.after_step();
    a.after_epoch(1.0, 0.5);
    a.after_epoch(2.0, 0.5);  // a bad epoch: plateau reduces
    const optim::StateDict saved = a.state_dict();

    auto resumed = make_optimizer();
    train::TrainingSchedule b(train::parse_schedule(spec), *resumed, kStepsPerEpoch, 5);
    b.load_state_dict(saved);
    CHECK(b.steps() == 6);
    for (int s = 0; s < 10; ++s) {
      CHECK(resumed->lr() == straight->lr());
      CHECK(resumed->option(0, "momentum").to_number() == straight->option(0, "momentum").to_number());
      a.after_step();
      b.after_step();
      if (s % 4 == 3) {
        a.after_epoch(3.0, 0.5);
        b.after_epoch(3.0, 0.5);
      }
    }
  }
  auto opt = make_optimizer();
  train::TrainingSchedule cosine(train::parse_schedule("cosine"), *opt, kStepsPerEpoch, 5);
  train::TrainingSchedule plateau(train::parse_schedule("plateau"), *opt, kStepsPerEpoch, 5);
  CHECK_ERROR(cosine.load_state_dict(plateau.state_dict()),
              "TrainingSchedule: load_state_dict: the state is of another schedule or optimizer (missing: "
              "warmup_and_rule.base_lr.0, warmup_and_rule.t; unexpected: plateau.bad_steps");
}

TEST_CASE("MomentumAnnealing state_dict holds t, and loading it sets the option to the value at t") {
  auto opt = make_optimizer("momentum");
  optim::MomentumAnnealing a(*opt, 0.5, 0.9, 4);
  a.step();
  a.step();
  auto other = make_optimizer("momentum");
  optim::MomentumAnnealing b(*other, 0.5, 0.9, 4);
  b.load_state_dict(a.state_dict());
  CHECK(b.t() == 2);
  CHECK(other->option(0, "momentum").to_number() == doctest::Approx(0.7));
  CHECK_ERROR(b.load_state_dict({}), "MomentumAnnealing: load_state_dict: expected 1 entry ('t'), got 0");
}

TEST_CASE("check_optimizer_and_schedule meets the optimizer's and the schedule's errors without a model") {
  CHECK_ERROR(train::check_optimizer_and_schedule("adam", {{"beta1", 2.0}}, train::parse_schedule("cosine"), 10, 2),
              "adam: option 'beta1' must satisfy 0 <= beta1 < 1, got 2");
  CHECK_ERROR(train::check_optimizer_and_schedule("momentum", {}, train::parse_schedule("momentum:end=1"), 10, 2),
              "schedule 'momentum': end: option 'momentum' must satisfy 0 <= momentum < 1, got 1");
  CHECK_NOTHROW(train::check_optimizer_and_schedule("momentum", {{"lr", 0.1}},
                                                    train::parse_schedule("warmup:steps=5+cosine+momentum"), 10, 2));
}
