// First-order optimizers: each one's first three steps against a hand computation of its
// formula in docs/formulas.md, nesterov's two forms, adagrad's shrinking step, and the
// update kernels called directly on numbers.
//
// The problem throughout: the anisotropic bowl f(x, y) = x^2/20 + y^2 (docs/formulas.md)
// from (1, -2), so dx = (x/10, 2y). Each expected value below was worked out from the
// formula step by step (the intermediate numbers are in the comments) in double precision.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <tapegrad/optim/optim.hpp>
#include <tapegrad/tapegrad.hpp>

#include "optim_trajectory.hpp"

using tg::Tensor;
namespace optim = tg::optim;
using tg::test::bowl;
using tg::test::run_on_bowl;
using tg::test::check_trajectory;
using tg::test::Trajectory;
using tg::test::vec;

TEST_CASE("optim sgd: x -= lr*dx, three steps by hand (lr=0.1)") {
  // t=1: dx = (0.1, -4)       x = (1 - 0.01, -2 + 0.4)         = (0.99, -1.6)
  // t=2: dx = (0.099, -3.2)   x = (0.99 - 0.0099, -1.6 + 0.32) = (0.9801, -1.28)
  // t=3: dx = (0.09801, -2.56) x = (0.9801 - 0.009801, -1.28 + 0.256) = (0.970299, -1.024)
  check_trajectory(run_on_bowl("sgd", {{"lr", 0.1}}), {{0.99, -1.6}, {0.9801, -1.28}, {0.970299, -1.024}});
}

TEST_CASE("optim momentum: v = mu*v - lr*dx, x += v, three steps by hand (mu=0.9, lr=0.1)") {
  // t=1: dx = (0.1, -4)       v = (-0.01, 0.4)                                x = (0.99, -1.6)
  // t=2: dx = (0.099, -3.2)   v = 0.9*(-0.01, 0.4) - 0.1*dx = (-0.0189, 0.68)  x = (0.9711, -0.92)
  // t=3: dx = (0.09711, -1.84) v = (-0.01701 - 0.009711, 0.612 + 0.184)
  //                             = (-0.026721, 0.796)                           x = (0.944379, -0.124)
  const Trajectory expected = {{0.99, -1.6}, {0.9711, -0.92}, {0.944379, -0.124}};
  check_trajectory(run_on_bowl("momentum", {{"lr", 0.1}, {"momentum", 0.9}}), expected);

  // The lecture's other form, v = rho*v + dx; x -= lr*v:
  // t=1: v = (0.1, -4)                    x = (1 - 0.01, -2 + 0.4)       = (0.99, -1.6)
  // t=2: v = 0.9*v + (0.099, -3.2) = (0.189, -6.8)      x = (0.9711, -0.92)
  // t=3: v = (0.1701 + 0.09711, -6.12 - 1.84) = (0.26721, -7.96)   x = (0.944379, -0.124)
  // With a constant lr the two forms are the same iterates (v_mu = -lr * v_rho).
  check_trajectory(run_on_bowl("momentum", {{"lr", 0.1}, {"momentum", 0.9}, {"rho_form", true}}), expected);
}

TEST_CASE("optim momentum: the two forms differ once the learning rate changes") {
  // The velocity form keeps lr inside v, the rho form applies the current lr to all of v.
  for (bool rho_form : {false, true}) {
    Tensor x = vec({1, -2}).requires_grad_();
    auto opt = optim::create("momentum", {x}, {{"lr", 0.1}, {"momentum", 0.9}, {"rho_form", rho_form}});
    bowl(x).backward();
    opt->step();  // x = (0.99, -1.6) either way; v = (-0.01, 0.4) or (0.1, -4)
    opt->set_lr(0.05);
    opt->zero_grad();
    bowl(x).backward();  // dx = (0.099, -3.2)
    opt->step();
    // velocity: v = 0.9*(-0.01, 0.4) - 0.05*dx = (-0.01395, 0.52);  x = (0.97605, -1.08)
    // rho:      v = 0.9*(0.1, -4) + dx = (0.189, -6.8); x -= 0.05*v  -> (0.98055, -1.26)
    const std::vector<double> expected = rho_form ? std::vector<double>{0.98055, -1.26} : std::vector<double>{0.97605, -1.08};
    check_trajectory({x.to_vector<double>()}, {expected});
  }
}

TEST_CASE("optim nesterov: v_prev = v, v = mu*v - lr*dx, x += -mu*v_prev + (1+mu)*v, by hand") {
  // mu=0.9, lr=0.1
  // t=1: dx = (0.1, -4)          v = (-0.01, 0.4)      x += 1.9*v          -> (0.981, -1.24)
  // t=2: dx = (0.0981, -2.48)    v = (-0.01881, 0.608) x += -0.9*(-0.01, 0.4) + 1.9*v
  //                                                       = (-0.026739, 0.7952) -> (0.954261, -0.4448)
  // t=3: dx = (0.0954261, -0.8896) v = (-0.02647161, 0.63616)
  //      x += -0.9*(-0.01881, 0.608) + 1.9*v = (-0.033367059, 0.661504) -> (0.920893941, 0.216704)
  check_trajectory(run_on_bowl("nesterov", {{"lr", 0.1}, {"momentum", 0.9}}),
                   {{0.981, -1.24}, {0.954261, -0.4448}, {0.920893941, 0.216704}});
}

TEST_CASE("optim nesterov: the change-of-variables form agrees with the lecture's look-ahead form") {
  // The lecture's form evaluates the gradient at the look-ahead point:
  //   x_ahead = x + mu*v;  v = mu*v - lr*dx(x_ahead);  x += v.
  // Substituting phi = x + mu*v (the look-ahead point itself) gives
  //   phi' = x' + mu*v' = phi - mu*v + (1+mu)*v',
  // which is the change-of-variables update with the gradient taken at phi. So "agree"
  // means: started at phi_0 = x_0 (v_0 = 0), the stored parameter after every step is the
  // lecture's x + mu*v, and both forms carry the same velocity.
  const double mu = 0.9, lr = 0.1;
  double lx[2] = {1, -2}, lv[2] = {0, 0};
  const Trajectory actual = run_on_bowl("nesterov", {{"lr", lr}, {"momentum", mu}}, 10);
  for (const std::vector<double>& phi : actual) {
    for (int i = 0; i < 2; ++i) {
      const double ahead = lx[i] + mu * lv[i];
      const double grad = i == 0 ? ahead / 10 : 2 * ahead;
      lv[i] = mu * lv[i] - lr * grad;
      lx[i] += lv[i];
    }
    CHECK(phi[0] == doctest::Approx(lx[0] + mu * lv[0]).epsilon(1e-12));
    CHECK(phi[1] == doctest::Approx(lx[1] + mu * lv[1]).epsilon(1e-12));
  }
}

TEST_CASE("optim adagrad: cache += dx^2, x -= lr*dx/(sqrt(cache)+eps), by hand (lr=0.1, eps=1e-8)") {
  // t=1: dx = (0.1, -4)            cache = (0.01, 16)
  //      x = (1 - 0.1*0.1/(0.1+1e-8), -2 + 0.1*4/(4+1e-8))     = (0.900000009999999, -1.90000000025)
  // t=2: dx = (0.090000001, -3.8)  cache = (0.0181000002, 30.44)  x = (0.83310354140, -1.83112505418)
  // t=3: dx = (0.0833103541, -3.66225011) cache = (0.0250406153, 43.8520759)
  //                                                                 x = (0.78045619876, -1.77582151546)
  check_trajectory(run_on_bowl("adagrad", {{"lr", 0.1}}), {{0.900000009999999, -1.90000000025},
                                                   {0.8331035413994696, -1.8311250541786028},
                                                   {0.7804561987608938, -1.7758215154568044}});
}

TEST_CASE("optim adagrad: the effective step lr/(sqrt(cache)+eps) shrinks monotonically") {
  // Even when the gradient grows: cache only accumulates.
  Tensor x = vec({1, -2}).requires_grad_();
  auto opt = optim::create("adagrad", {x}, {{"lr", 0.1}});
  std::vector<double> previous = {INFINITY, INFINITY};
  for (int t = 0; t < 20; ++t) {
    opt->zero_grad();
    tg::sum(x * x * vec({0.05, 1.0}) * (1.0 + t)).backward();  // a loss that steepens every step
    opt->step();
    const std::vector<double> cache = opt->state(0, 0).at("cache").to_vector<double>();
    for (int i = 0; i < 2; ++i) {
      const double effective = 0.1 / (std::sqrt(cache[i]) + 1e-8);
      CHECK(effective < previous[i]);
      previous[i] = effective;
    }
  }
}

TEST_CASE("optim rmsprop: cache = d*cache + (1-d)*dx^2, x -= lr*dx/(sqrt(cache)+eps), by hand") {
  // lr=0.01, d=0.9, eps=1e-8
  // t=1: dx = (0.1, -4)        cache = 0.1*dx^2 = (0.001, 1.6)
  //      x = (1 - 0.01*0.1/(sqrt(0.001)+1e-8), -2 + 0.01*4/(sqrt(1.6)+1e-8)) = (0.96837723340, -1.96837722365)
  // t=2: dx = (0.0968377233, -3.93675445) cache = (0.00183775447, 2.98980356)
  //                                                         x = (0.94578803989, -1.94560963705)
  // t=3: dx = (0.094578804, -3.89121927) cache = (0.00254849404, 4.20498195)
  //                                                         x = (0.92705311652, -1.92663368237)
  check_trajectory(run_on_bowl("rmsprop", {{"lr", 0.01}, {"decay", 0.9}}), {{0.968377233398313, -1.9683772236483161},
                                                                     {0.9457880398854536, -1.9456096370520823},
                                                                     {0.9270531165204581, -1.9266336823682229}});
}

TEST_CASE("optim adam: bias-corrected update, three steps by hand (lr=0.1, defaults otherwise)") {
  // b1=0.9, b2=0.999, eps=1e-8
  // t=1: dx = (0.1, -4)  m = (0.01, -0.4)  v = (1e-5, 0.016)
  //      mt = m/(1-0.9) = (0.1, -4)  vt = v/(1-0.999) = (0.01, 16)
  //      x -= 0.1*mt/(sqrt(vt)+1e-8) -> (0.900000009999999, -1.90000000025)
  // t=2: dx = (0.090000001, -3.8)  m = (0.0180000001, -0.74)  v = (1.809000018e-5, 0.030424)
  //      mt = m/0.19 = (0.0947368426, -3.89473684)  vt = v/0.001999 = (0.00904952485, 15.2196098)
  //      x -> (0.80041224808, -1.80016648612)
  // t=3: dx = (0.0800412248, -3.60033297)  m = (0.0242041226, -1.0260333)  v = (2.447850785e-5, 0.0433559735)
  //      mt = m/0.271 = (0.0893141054, -3.78610073)  vt = v/0.002997001 = (0.00816766756, 14.4664528)
  //      x -> (0.70158630256, -1.70062339205)
  check_trajectory(run_on_bowl("adam", {{"lr", 0.1}}), {{0.900000009999999, -1.90000000025},
                                                {0.8004122480821506, -1.800166486115701},
                                                {0.7015863025553359, -1.7006233920464648}});
}

TEST_CASE("optim adam defaults are lr 1e-3, beta1 0.9, beta2 0.999, eps 1e-8") {
  const optim::OptimizerInfo info = optim::find_optimizer("adam");
  std::map<std::string, double> defaults;
  for (const optim::OptionSpec& spec : info.options)
    if (spec.default_value.is_numeric()) defaults[spec.name] = spec.default_value.to_number();
  CHECK(defaults.at("lr") == 1e-3);
  CHECK(defaults.at("beta1") == 0.9);
  CHECK(defaults.at("beta2") == 0.999);
  CHECK(defaults.at("eps") == 1e-8);
}

TEST_CASE("optim adamw: decoupled decay x -= lr*wd*x before the Adam update, by hand (wd=0.1)") {
  // t=1: x = (1, -2)*(1 - 0.1*0.1) = (0.99, -1.98); dx (at the old x) = (0.1, -4); Adam moves
  //      each coordinate by 0.1*(1 - 1e-8/|dx|...) -> (0.890000009999999, -1.88000000025)
  // t=2: dx = (0.089000001, -3.76)  m = (0.0179000001, -0.736)  v = (1.791100018e-5, 0.0301216)
  //      x -> (0.78157187527, -1.76140895058)
  // t=3: dx = (0.0781571875, -3.5228179)  m = (0.0239257188, -1.01468179)
  //      x -> (0.67510125107, -1.64436868356)
  check_trajectory(run_on_bowl("adamw", {{"lr", 0.1}, {"weight_decay", 0.1}}), {{0.890000009999999, -1.88000000025},
                                                                        {0.781571875271971, -1.7614089505845592},
                                                                        {0.6751012510735559, -1.644368683560589}});
}

TEST_CASE("optim kernels are pure functions over arrays (f64 and f32)") {
  // adam_update on the first step of the adam test above, called directly.
  std::vector<double> x = {1, -2}, dx = {0.1, -4}, m = {0, 0}, v = {0, 0};
  optim::AdamStep step;
  step.lr = 0.1;
  step.t = 1;
  optim::adam_update<double>(x, dx, m, v, step);
  CHECK(std::fabs(x[0] - 0.900000009999999) <= 1e-12);
  CHECK(std::fabs(x[1] - -1.90000000025) <= 1e-12);
  CHECK(std::fabs(m[1] - -0.4) <= 1e-15);
  CHECK(std::fabs(v[1] - 0.016) <= 1e-15);

  std::vector<float> xf = {1, -2}, dxf = {0.1f, -4}, vf = {0, 0};
  optim::momentum_update<float>(xf, dxf, vf, {0.1, 0.9, false});
  CHECK(xf[0] == doctest::Approx(0.99).epsilon(1e-6));
  CHECK(vf[1] == doctest::Approx(0.4).epsilon(1e-6));

  std::vector<double> short_v = {0};
  CHECK_THROWS_WITH_AS(optim::momentum_update<double>(x, dx, short_v, {}),
                       doctest::Contains("momentum_update: arrays of different lengths (2 and 1)"), tg::Error);
}

TEST_CASE("optim kernels split large arrays across threads with the same result") {
  // 200k elements run on the OpenMP threads; each element must see exactly its own update.
  const std::size_t n = 200000;
  std::vector<float> x(n), dx(n), m(n, 0), v(n, 0);
  for (std::size_t i = 0; i < n; ++i) x[i] = static_cast<float>(i % 97) * 0.01f, dx[i] = static_cast<float>(i % 13) - 6;
  std::vector<float> x1 = x, m1 = m, v1 = v;
  optim::AdamStep step;
  const int previous = tg::get_num_threads();
  tg::set_num_threads(2);
  optim::adam_update<float>(x, dx, m, v, step);
  tg::set_num_threads(1);
  optim::adam_update<float>(x1, dx, m1, v1, step);
  tg::set_num_threads(previous);
  CHECK(x == x1);
  CHECK(v == v1);
}

TEST_CASE("optim f32 parameters: steps in float, same trajectory to float precision") {
  Tensor x = tg::from_vector(std::vector<float>{1, -2}, tg::Shape{2}).requires_grad_();
  auto opt = optim::create("adam", {x}, {{"lr", 0.1}});
  for (int t = 0; t < 3; ++t) {
    opt->zero_grad();
    tg::sum(x * x * tg::from_vector(std::vector<float>{0.05f, 1.0f}, tg::Shape{2})).backward();
    opt->step();
  }
  CHECK(x.dtype() == tg::f32);
  CHECK(opt->state(0, 0).at("m").dtype() == tg::f32);
  const std::vector<float> v = x.to_vector<float>();
  CHECK(v[0] == doctest::Approx(0.7015863025553359).epsilon(1e-5));
  CHECK(v[1] == doctest::Approx(-1.7006233920464648).epsilon(1e-5));
}
