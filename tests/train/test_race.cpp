// The optimizer race on 2-D test functions: hand-checked values and gradients of the
// functions, the noisy variants, the lr search, and the race's verdicts on the bowl.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <tapegrad/tapegrad.hpp>

#include <tapegrad/train/race/race.hpp>
#include <tapegrad/train/race/test_functions.hpp>

using tg::Tensor;

namespace {

struct ValueAndGradient {
  double value;
  std::vector<double> gradient;
};

ValueAndGradient evaluate_at(const tg::train::TestFunction& f, double x, double y) {
  const std::vector<double> xy{x, y};
  Tensor p = tg::from_vector(xy, {2}).requires_grad_();
  const Tensor loss = f.loss(p);
  loss.backward();
  return {loss.item(), p.grad().to_vector<double>()};
}

void check_value_and_gradient(const std::string& name, double x, double y, double value, double dx, double dy) {
  const auto f = tg::train::find_test_function(name);
  const ValueAndGradient got = evaluate_at(f, x, y);
  INFO(name << " at (" << x << ", " << y << ")");
  CHECK(got.value == doctest::Approx(value).epsilon(1e-12));
  CHECK(f.value(x, y) == doctest::Approx(value).epsilon(1e-12));
  CHECK(got.gradient[0] == doctest::Approx(dx).epsilon(1e-12));
  CHECK(got.gradient[1] == doctest::Approx(dy).epsilon(1e-12));
}

const tg::train::RaceRun& run_of(const std::vector<tg::train::RaceRun>& runs, const std::string& optimizer) {
  for (const auto& run : runs)
    if (run.optimizer == optimizer) return run;
  FAIL("no run of " << optimizer);
  return runs.front();
}

}  // namespace

TEST_CASE("race test functions: values and gradients by hand") {
  // bowl x^2/20 + y^2: grad (x/10, 2y).
  check_value_and_gradient("bowl", 1, 1, 1.05, 0.1, 2);
  check_value_and_gradient("bowl", -7, 2, 49.0 / 20 + 4, -0.7, 4);
  // saddle x^2 - y^2: grad (2x, -2y).
  check_value_and_gradient("saddle", 1, 2, -3, 2, -4);
  // Rosenbrock: grad (-2(1-x) - 400x(y-x^2), 200(y-x^2)); at (-1.2, 1): 2.2^2 + 100*0.44^2.
  check_value_and_gradient("rosenbrock", 1, 1, 0, 0, 0);
  check_value_and_gradient("rosenbrock", 0, 0, 1, -2, 0);
  check_value_and_gradient("rosenbrock", -1.2, 1, 24.2, -215.6, -88);
  // Beale: 0 at (3, 0.5); at (1, 1) the residuals are 1.5, 2.25, 2.625, d/dx = 0 (every
  // residual's x-slope is y^k - 1 = 0) and d/dy = 2(1.5*1 + 2.25*2 + 2.625*3) = 27.75.
  check_value_and_gradient("beale", 3, 0.5, 0, 0, 0);
  check_value_and_gradient("beale", 1, 1, 14.203125, 0, 27.75);
}

TEST_CASE("race test functions: names, minima, and the saddle's escape") {
  CHECK(tg::train::test_function_names() ==
        std::vector<std::string>{"bowl", "saddle", "rosenbrock", "beale", "noisy_bowl", "noisy_saddle",
                                 "noisy_rosenbrock", "noisy_beale"});
  const auto bowl = tg::train::find_test_function("bowl");
  CHECK(bowl.reached(0.9e-6, 1e-6));
  CHECK_FALSE(bowl.reached(1.1e-6, 1e-6));
  const auto saddle = tg::train::find_test_function("saddle");
  CHECK_FALSE(saddle.minimum.has_value());
  CHECK(saddle.reached(-1.01, 1e-6));  // escaped: loss below -1, whatever the tolerance
  CHECK_FALSE(saddle.reached(-0.99, 1e-6));
  CHECK_THROWS_WITH(tg::train::find_test_function("himmelblau"),
                    "unknown test function 'himmelblau'; known: bowl, saddle, rosenbrock, beale, noisy_bowl, "
                    "noisy_saddle, noisy_rosenbrock, noisy_beale");
}

TEST_CASE("race noisy variant: the same seed gives the same run, another seed or the clean function differ") {
  const auto noisy = tg::train::find_test_function("noisy_bowl");
  const auto clean = tg::train::find_test_function("bowl");
  CHECK(noisy.noise_std == 0.5);
  const tg::train::RaceSettings seed1{.steps = 20, .tolerance = 1e-6, .seed = 1};
  const tg::train::RaceSettings seed2{.steps = 20, .tolerance = 1e-6, .seed = 2};
  const auto a = tg::train::run_race(noisy, "sgd", {{"lr", 0.1}}, seed1);
  const auto b = tg::train::run_race(noisy, "sgd", {{"lr", 0.1}}, seed1);
  const auto c = tg::train::run_race(noisy, "sgd", {{"lr", 0.1}}, seed2);
  const auto d = tg::train::run_race(clean, "sgd", {{"lr", 0.1}}, seed1);
  CHECK(a.loss == b.loss);
  CHECK(a.loss != c.loss);
  CHECK(a.loss != d.loss);
  // The clean run is gradient descent by hand: y_t = 2 (1 - 2 lr)^t, x_t = -7 (1 - lr/10)^t.
  CHECK(d.trajectory[20].x == doctest::Approx(-7 * std::pow(0.99, 20)).epsilon(1e-12));
  CHECK(d.trajectory[20].y == doctest::Approx(2 * std::pow(0.8, 20)).epsilon(1e-12));
  // The noise enters the gradient only: the recorded loss is the clean f at the point.
  CHECK(a.loss[5] == doctest::Approx(noisy.value(a.trajectory[5].x, a.trajectory[5].y)).epsilon(1e-15));
}

TEST_CASE("race lr search: the lr is a grid point in the range, sgd on the bowl gets the largest stable one") {
  const auto bowl = tg::train::find_test_function("bowl");
  const tg::train::LrSearch search;  // 13 points over [1e-4, 1]: 10^(-4 + k/3)
  const tg::train::RaceSettings settings;
  for (const std::string optimizer : {"sgd", "momentum", "adagrad", "rmsprop", "adam"}) {
    const double lr = tg::train::tune_lr(bowl, optimizer, search, settings);
    INFO(optimizer << ": " << lr);
    CHECK(lr >= search.min);
    CHECK(lr <= search.max);
    const double k = 3 * (std::log10(lr) + 4);
    CHECK(k == doctest::Approx(std::round(k)).epsilon(1e-9));
  }
  // SGD's y-coordinate is multiplied by (1 - 2 lr) each step: lr = 1 oscillates forever
  // (|1 - 2| = 1), so the best grid lr is the one below, 10^(-1/3) = 0.464.
  CHECK(tg::train::tune_lr(bowl, "sgd", search, settings) == doctest::Approx(std::pow(10.0, -1.0 / 3)));
  CHECK_THROWS_WITH(tg::train::tune_lr(bowl, "sgd", {.min = 0, .max = 1}, settings),
                    "bench: the lr search range must satisfy 0 < min <= max, got [0, 1]");
}

TEST_CASE("race on the bowl: adam and momentum reach the tolerance in fewer iterations than sgd") {
  const auto bowl = tg::train::find_test_function("bowl");
  const tg::train::RaceSettings settings{.steps = 200, .tolerance = 1e-6, .seed = 0};
  const auto runs = tg::train::race(bowl, {{"sgd"}, {"momentum"}, {"adam"}}, settings, {});
  const auto& sgd = run_of(runs, "sgd");
  const auto& momentum = run_of(runs, "momentum");
  const auto& adam = run_of(runs, "adam");
  REQUIRE(sgd.iterations_to_tolerance.has_value());
  REQUIRE(momentum.iterations_to_tolerance.has_value());
  REQUIRE(adam.iterations_to_tolerance.has_value());
  CHECK(*momentum.iterations_to_tolerance < *sgd.iterations_to_tolerance);
  CHECK(*adam.iterations_to_tolerance < *sgd.iterations_to_tolerance);
  // SGD at 0.464 contracts x by 1 - 0.0464 per step; f ~ x^2/20 < 1e-6 from x = -7 takes
  // ln(1e-6 * 20 / 49) / (2 ln 0.9536) = 155 steps.
  CHECK(*sgd.iterations_to_tolerance == 155);
  for (const auto& run : runs) {
    CHECK(run.lr_tuned);
    CHECK(run.trajectory.size() == 201);
    CHECK(run.seconds_per_step > 0);
  }
}

TEST_CASE("race: newton and lbfgs run through step(closure) with their own defaults") {
  const auto bowl = tg::train::find_test_function("bowl");
  const auto runs = tg::train::race(bowl, {{"newton"}, {"lbfgs"}}, {.steps = 5}, {});
  // Newton solves a quadratic in one step: (0, 0) exactly.
  const auto& newton = run_of(runs, "newton");
  CHECK_FALSE(newton.lr_tuned);
  CHECK(newton.lr == 1.0);
  CHECK(newton.iterations_to_tolerance == 1);
  CHECK(newton.final_loss == doctest::Approx(0).epsilon(1e-20));
  CHECK(run_of(runs, "lbfgs").iterations_to_tolerance == 1);
  CHECK_FALSE(tg::train::is_first_order("lbfgs"));
  CHECK(tg::train::is_first_order("adam"));
}

TEST_CASE("race on the saddle: sgd at a small lr stalls, adam at the same lr escapes") {
  const auto saddle = tg::train::find_test_function("saddle");
  const tg::train::RaceSettings settings{.steps = 400};
  // SGD: y_t = 1e-3 * 1.02^t and x_t = -0.98^t; f = x^2 - y^2 < -1 first at t = 349
  // (y = 1.0033, x^2 = 7e-7; at t = 348, y = 0.9836).
  const auto sgd = tg::train::run_race(saddle, "sgd", {{"lr", 0.01}}, settings);
  const auto adam = tg::train::run_race(saddle, "adam", {{"lr", 0.01}}, settings);
  CHECK(sgd.iterations_to_tolerance == 349);
  REQUIRE(adam.iterations_to_tolerance.has_value());
  CHECK(*adam.iterations_to_tolerance < 100);
}

TEST_CASE("race on the saddle: lrs not given are the shared unbounded_lr, not tuned") {
  const auto saddle = tg::train::find_test_function("saddle");
  const auto runs = tg::train::race(saddle, {{"sgd"}, {"adam"}, {"momentum", 0.001}}, {.steps = 400}, {});
  CHECK(run_of(runs, "sgd").lr == 0.01);  // LrSearch's default unbounded_lr
  CHECK_FALSE(run_of(runs, "sgd").lr_tuned);
  CHECK(run_of(runs, "sgd").iterations_to_tolerance == 349);  // as computed above
  CHECK(run_of(runs, "adam").lr == 0.01);
  CHECK(run_of(runs, "momentum").lr == 0.001);  // a given lr is kept
  const auto other = tg::train::race(saddle, {{"sgd"}}, {.steps = 10}, {.unbounded_lr = 0.5});
  CHECK(other[0].lr == 0.5);
  CHECK_THROWS_WITH(tg::train::race(saddle, {{"sgd"}}, {.steps = 10}, {.unbounded_lr = 0}),
                    "bench: --saddle-lr must be a positive number, got 0");
}

TEST_CASE("race: a run that diverges stops at the arena and is marked") {
  // SGD on the bowl with lr 2: y is multiplied by 1 - 2*2 = -3 per step, so |y| = 2*3^t
  // passes 1e6 at t = 12.
  const auto run = tg::train::run_race(tg::train::find_test_function("bowl"), "sgd", {{"lr", 2.0}}, {.steps = 100});
  CHECK(run.diverged);
  CHECK(run.trajectory.size() == 13);
  CHECK(std::fabs(run.trajectory.back().y) == doctest::Approx(2 * std::pow(3.0, 12)));
  CHECK_FALSE(run.iterations_to_tolerance.has_value());
}

TEST_CASE("race: iterations to tolerance count from when the loss stays below it") {
  // RMSProp at lr 1 on the bowl dips below 1e-6 early, then its step (about lr per
  // coordinate once the cache has decayed) throws it back out: not counted as there.
  const auto bowl = tg::train::find_test_function("bowl");
  const auto run = tg::train::run_race(bowl, "rmsprop", {{"lr", 1.0}}, {.steps = 500});
  const auto dip = std::find_if(run.loss.begin(), run.loss.end(), [](double f) { return f < 1e-6; });
  REQUIRE(dip != run.loss.end());
  CHECK(run.final_loss > 1e-6);
  CHECK_FALSE(run.iterations_to_tolerance.has_value());
}
