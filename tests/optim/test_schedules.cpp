// Learning-rate schedules, reduce-on-plateau and momentum annealing: the rates an
// optimizer sees after each scheduler step equal the closed forms of optim/schedules.hpp.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <tapegrad/optim/optim.hpp>
#include <tapegrad/tapegrad.hpp>

using tg::Tensor;
namespace optim = tg::optim;

namespace {

Tensor param(std::vector<double> v) {
  return tg::from_vector(v, tg::Shape{static_cast<std::int64_t>(v.size())}).requires_grad_();
}

// The lr the optimizer holds at t = 0, 1, ..., steps - 1 under the schedule.
std::vector<double> rates(const optim::Rate& rate, double a0, int steps) {
  Tensor x = param({1});
  auto opt = optim::create("sgd", {x}, {{"lr", a0}});
  optim::LrScheduler scheduler(*opt, rate);
  std::vector<double> out;
  for (int t = 0; t < steps; ++t) {
    out.push_back(opt->lr());
    scheduler.step();
  }
  return out;
}

void check_rates(const std::vector<double>& actual, const std::vector<double>& expected) {
  REQUIRE(actual.size() == expected.size());
  for (std::size_t t = 0; t < actual.size(); ++t) {
    INFO("t = " << t);
    CHECK(actual[t] == doctest::Approx(expected[t]).epsilon(1e-14));
  }
}

}  // namespace

TEST_CASE("schedule step decay: a0 * gamma^floor(t / step_size)") {
  check_rates(rates(optim::StepDecay{.step_size = 3, .gamma = 0.5}, 0.1, 8),
              {0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025});
}

TEST_CASE("schedule exponential decay: a0 * exp(-k t)") {
  check_rates(rates(optim::ExponentialDecay{.k = 0.1}, 0.1, 4),
              {0.1, 0.1 * std::exp(-0.1), 0.1 * std::exp(-0.2), 0.1 * std::exp(-0.3)});
}

TEST_CASE("schedule inverse time (1/t) decay: a0 / (1 + k t)") {
  check_rates(rates(optim::InverseTimeDecay{.k = 0.5}, 0.1, 5), {0.1, 0.1 / 1.5, 0.1 / 2, 0.1 / 2.5, 0.1 / 3});
}

TEST_CASE("schedule cosine annealing, with and without warm restarts") {
  // min_lr + (a0 - min_lr) (1 + cos(pi tc / T)) / 2 with a0 = 1, min_lr = 0.1, T = 4:
  // tc = 0..4 -> 1, 0.1 + 0.9 (1 + sqrt(1/2))/2, 0.55, 0.1 + 0.9 (1 - sqrt(1/2))/2, 0.1
  const double high = 0.1 + 0.45 * (1 + std::numbers::sqrt2 / 2), low = 0.1 + 0.45 * (1 - std::numbers::sqrt2 / 2);
  check_rates(rates(optim::CosineAnnealing{.period = 4, .min_lr = 0.1}, 1.0, 7), {1, high, 0.55, low, 0.1, 0.1, 0.1});
  // Restarts: back to a0 every 4 steps.
  check_rates(rates(optim::CosineAnnealing{.period = 4, .min_lr = 0.1, .restarts = true}, 1.0, 9),
              {1, high, 0.55, low, 1, high, 0.55, low, 1});
  // Restarts with periods 4, 8, 16, ...: restarts at t = 4 and t = 12; t = 8 is mid-period.
  const std::vector<double> r = rates(optim::CosineAnnealing{.period = 4, .restarts = true, .period_mult = 2}, 1.0, 13);
  CHECK(r[4] == 1);
  CHECK(r[8] == doctest::Approx(0.5));  // tc = 4 of T = 8
  CHECK(r[11] == doctest::Approx((1 + std::cos(std::numbers::pi * 7 / 8)) / 2));
  CHECK(r[12] == 1);
}

TEST_CASE("schedule linear warm-up, alone and followed by another schedule") {
  check_rates(rates(optim::LinearWarmup{.steps = 4}, 0.2, 6), {0.05, 0.1, 0.15, 0.2, 0.2, 0.2});
  check_rates(rates(optim::LinearWarmup{.steps = 2, .then = optim::StepDecay{.step_size = 2, .gamma = 0.1}}, 1.0, 6),
              {0.5, 1, 1, 1, 0.1, 0.1});
}

TEST_CASE("schedule: each group decays from its own base rate, and steps use the scheduled rate") {
  Tensor a = param({1}), b = param({1});
  std::vector<optim::ParamGroup> groups(2);
  groups[0].params = {a};
  groups[0].options = {{"lr", 0.01}};
  groups[1].params = {b};
  auto opt = optim::create("sgd", groups, {{"lr", 0.1}});
  optim::LrScheduler scheduler(*opt, optim::InverseTimeDecay{.k = 1});
  // Three sgd steps on f = a^2/2 + b^2/2 (dx = x) with lr_t = a0 / (1 + t):
  // b: 1 * (1 - 0.1) * (1 - 0.05) * (1 - 0.1/3)
  for (int t = 0; t < 3; ++t) {
    opt->zero_grad();
    tg::sum(a * a * 0.5 + b * b * 0.5).backward();
    opt->step();
    scheduler.step();
  }
  CHECK(b.item() == doctest::Approx(0.9 * 0.95 * (1 - 0.1 / 3)).epsilon(1e-14));
  CHECK(a.item() == doctest::Approx(0.99 * 0.995 * (1 - 0.01 / 3)).epsilon(1e-14));
  CHECK(opt->lr(0) == doctest::Approx(0.01 / 4));
  CHECK(opt->lr(1) == doctest::Approx(0.1 / 4));

  // The scheduler's state continues where it stopped.
  const optim::StateDict saved = scheduler.state_dict();
  opt->set_lr(0.5);
  optim::LrScheduler resumed(*opt, optim::InverseTimeDecay{.k = 1});
  resumed.load_state_dict(saved);
  CHECK(resumed.t() == 3);
  CHECK(opt->lr(1) == doctest::Approx(0.1 / 4));
}

TEST_CASE("schedule reduce-on-plateau halves the rate after `patience` steps without improvement") {
  Tensor x = param({1});
  auto opt = optim::create("adam", {x}, {{"lr", 0.1}});
  optim::ReduceOnPlateau plateau(*opt, {.patience = 2, .cooldown = 1});
  CHECK_FALSE(plateau.step(1.0));   // best 1.0
  CHECK_FALSE(plateau.step(0.9));   // improved: best 0.9
  CHECK_FALSE(plateau.step(0.95));  // bad 1
  CHECK_FALSE(plateau.step(0.9));   // bad 2 (not better than best)
  CHECK(plateau.step(0.91));        // bad 3 > patience: halve
  CHECK(opt->lr() == 0.05);
  CHECK_FALSE(plateau.step(0.92));  // cooldown: not counted
  CHECK_FALSE(plateau.step(0.93));  // bad 1
  CHECK_FALSE(plateau.step(0.8));   // improved
  CHECK(opt->lr() == 0.05);
  CHECK(plateau.best() == 0.8);
  // A metric that should grow (accuracy).
  optim::ReduceOnPlateau accuracy(*opt, {.patience = 0, .maximize = true});
  CHECK_FALSE(accuracy.step(0.5));
  CHECK(accuracy.step(0.5));
  CHECK(opt->lr() == 0.025);
}

TEST_CASE("schedule momentum annealing 0.5 -> 0.99 changes the momentum option") {
  Tensor x = param({1});
  auto opt = optim::create("momentum", {x});
  optim::MomentumAnnealing annealing(*opt, 0.5, 0.99, 7);
  for (int t = 0; t <= 9; ++t) {
    CHECK(opt->option(0, "momentum").to_number() == doctest::Approx(0.5 + 0.49 * std::min(t, 7) / 7));
    annealing.step();
  }
  CHECK(annealing.value() == 0.99);

  auto adam = optim::create("adam", {x});
  CHECK_THROWS_WITH_AS(optim::MomentumAnnealing{*adam},
                       doctest::Contains("optimizer adam has no option 'momentum' (its options: lr, beta1"), tg::Error);
  optim::MomentumAnnealing beta1(*adam, 0.5, 0.9, 4, "beta1");
  CHECK(adam->option(0, "beta1").to_number() == 0.5);
}
