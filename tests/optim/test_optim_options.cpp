// The options PyTorch users reach for (SGD dampening, Nesterov's rho form, RMSprop's
// centered and momentum, Adam's amsgrad, AdaGrad's lr_decay and initial accumulator),
// each against a hand computation of its formula (docs/formulas.md, Optimizers), on the
// anisotropic bowl f(x, y) = x^2/20 + y^2 from (1, -2), so dx = (x/10, 2y).
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <tapegrad/optim/optim.hpp>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"
#include "optim_trajectory.hpp"

using tg::Tensor;
namespace optim = tg::optim;
using tg::test::bowl;
using tg::test::run_on_bowl;
using tg::test::check_trajectory;
using tg::test::Trajectory;
using tg::test::vec;

TEST_CASE("optim momentum dampening: the first step is undamped, later ones scale dx by 1-d, by hand") {
  // rho form, rho=0.9, d=0.5, lr=0.1 (PyTorch's SGD(momentum=0.9, dampening=0.5)):
  // t=1: dx = (0.1, -4)        v = dx = (0.1, -4)                               x = (0.99, -1.6)
  // t=2: dx = (0.099, -3.2)    v = 0.9*v + 0.5*dx = (0.1395, -5.2)             x = (0.97605, -1.08)
  // t=3: dx = (0.097605, -2.16) v = (0.12555 + 0.0488025, -4.68 - 1.08)
  //                              = (0.1743525, -5.76)                          x = (0.95861475, -0.504)
  const Trajectory expected = {{0.99, -1.6}, {0.97605, -1.08}, {0.95861475, -0.504}};
  check_trajectory(run_on_bowl("momentum", {{"lr", 0.1}, {"momentum", 0.9}, {"rho_form", true}, {"dampening", 0.5}}),
                   expected);
  // The velocity form v = mu*v - lr*(1-d)*dx gives the same iterates for a constant lr.
  check_trajectory(run_on_bowl("momentum", {{"lr", 0.1}, {"momentum", 0.9}, {"dampening", 0.5}}), expected);
}

TEST_CASE("optim momentum dampening: a loaded state is not a first step") {
  Tensor x = vec({1, -2}).requires_grad_();
  const optim::Options options{{"lr", 0.1}, {"momentum", 0.9}, {"rho_form", true}, {"dampening", 0.5}};
  auto opt = optim::create("momentum", {x}, options);
  bowl(x).backward();
  opt->step();
  Tensor y = vec({0.99, -1.6}).requires_grad_();
  auto resumed = optim::create("momentum", {y}, options);
  resumed->load_state_dict(opt->state_dict());
  bowl(y).backward();
  resumed->step();  // the second step of the hand computation above: damped
  check_trajectory({y.to_vector<double>()}, {{0.97605, -1.08}});
}

TEST_CASE("optim momentum dampening outside [0, 1] is refused") {
  Tensor x = vec({1, -2}).requires_grad_();
  CHECK_ERROR(optim::create("momentum", {x}, {{"dampening", 1.5}}), "dampening");
  CHECK_ERROR(optim::create("momentum", {x}, {{"dampening", -0.1}}), "dampening");
}

TEST_CASE("optim nesterov rho form (PyTorch's): v = mu*v + dx, x -= lr*(dx + mu*v), by hand") {
  // mu=0.9, lr=0.1, constant: the same iterates as the velocity form (test_optim.cpp).
  // t=1: dx = (0.1, -4)   v = (0.1, -4)   x -= 0.1*(dx + 0.9*v) = (0.019, -0.76) -> (0.981, -1.24)
  check_trajectory(run_on_bowl("nesterov", {{"lr", 0.1}, {"momentum", 0.9}, {"rho_form", true}}),
                   {{0.981, -1.24}, {0.954261, -0.4448}, {0.920893941, 0.216704}});
}

TEST_CASE("optim nesterov rho form follows an lr drop as PyTorch does, the velocity form does not") {
  // t=1 (lr=0.1) as above: x = (0.981, -1.24), v_rho = (0.1, -4), v_velocity = (-0.01, 0.4).
  // t=2 (lr=0.01): dx = (0.0981, -2.48)
  //   rho:      v = 0.9*(0.1, -4) + dx = (0.1881, -6.08);  x -= 0.01*(dx + 0.9*v)
  //             = 0.01*(0.26739, -7.952)                            -> (0.9783261, -1.16048)
  //   velocity: v = 0.9*(-0.01, 0.4) - 0.01*dx = (-0.009981, 0.3848)
  //             x += -0.9*(-0.01, 0.4) + 1.9*v = (-0.0099639, 0.37112) -> (0.9710361, -0.86888)
  const auto drop = [](int t) { return t == 1 ? 0.1 : 0.01; };
  check_trajectory(run_on_bowl("nesterov", {{"momentum", 0.9}, {"rho_form", true}}, 2, drop),
                   {{0.981, -1.24}, {0.9783261, -1.16048}});
  check_trajectory(run_on_bowl("nesterov", {{"momentum", 0.9}}, 2, drop), {{0.981, -1.24}, {0.9710361, -0.86888}});

  // Over a longer run with the drop at step 21, the rho form matches PyTorch's loop
  // (torch.optim.SGD(nesterov=True), written out here in double) at every step.
  const auto long_drop = [](int t) { return t <= 20 ? 0.1 : 0.01; };
  const Trajectory actual = run_on_bowl("nesterov", {{"momentum", 0.9}, {"rho_form", true}}, 40, long_drop);
  double x[2] = {1, -2}, buf[2] = {0, 0};
  for (int t = 1; t <= 40; ++t) {
    for (int i = 0; i < 2; ++i) {
      const double g = i == 0 ? x[i] / 10 : 2 * x[i];
      buf[i] = t == 1 ? g : 0.9 * buf[i] + g;
      x[i] -= long_drop(t) * (g + 0.9 * buf[i]);
    }
    CHECK(actual[t - 1][0] == doctest::Approx(x[0]).epsilon(1e-12));
    CHECK(actual[t - 1][1] == doctest::Approx(x[1]).epsilon(1e-12));
  }
}

TEST_CASE("optim rmsprop centered: divides by sqrt(cache - grad_avg^2) + eps, by hand") {
  // d=0.9, lr=0.1, eps=1e-8.
  // t=1: dx = (0.1, -4)  cache = 0.1*dx^2 = (0.001, 1.6)  grad_avg = 0.1*dx = (0.01, -0.4)
  //      cache - grad_avg^2 = (0.0009, 1.44), sqrt = (0.03, 1.2)
  //      x -= 0.1*dx/(sqrt + eps) = (0.33333332, -0.33333333) -> (0.66666678, -1.66666667)
  // t=2, t=3: the same arithmetic from there.
  check_trajectory(run_on_bowl("rmsprop", {{"lr", 0.1}, {"decay", 0.9}, {"centered", true}}),
                   {{0.6666667777777406, -1.6666666694444443},
                    {0.46556782282259523, -1.4350063701033768},
                    {0.3235695601995646, -1.245341231630097}},
                   1e-10);
}

TEST_CASE("optim rmsprop momentum: buf = mu*buf + dx/(sqrt(cache)+eps), x -= lr*buf, by hand") {
  // d=0.9, mu=0.9, lr=0.1.
  // t=1: cache = (0.001, 1.6), sqrt = (0.0316228, 1.2649111); buf = dx/sqrt = (3.1622777, -3.1622777)
  //      x -= 0.1*buf                                                   -> (0.6837722, -1.6837722)
  // t=2: dx = (0.0683772, -3.3675445); cache = (0.0013675, 2.5740361), sqrt = (0.0369803, 1.6043803)
  //      buf = 0.9*buf + dx/sqrt = (4.6950722, -4.9450179)            -> (0.2142651, -1.1892704)
  check_trajectory(run_on_bowl("rmsprop", {{"lr", 0.1}, {"decay", 0.9}, {"momentum", 0.9}}),
                   {{0.6837723339831304, -1.683772236483162},
                    {0.21426583968532703, -1.1892703299673593},
                    {-0.26825646180160856, -0.6041195799543138}},
                   1e-10);
  // Both together.
  check_trajectory(run_on_bowl("rmsprop", {{"lr", 0.1}, {"decay", 0.9}, {"momentum", 0.9}, {"centered", true}}),
                   {{0.6666667777777406, -1.6666666694444443},
                    {0.16556792282256194, -1.1350063726033768},
                    {-0.3380640046369351, -0.4993827129462778}},
                   1e-10);
}

TEST_CASE("optim rmsprop keeps grad_avg and momentum_buffer only when asked for") {
  for (const bool centered : {false, true}) {
    for (const double momentum : {0.0, 0.5}) {
      Tensor x = vec({1, -2}).requires_grad_();
      auto opt = optim::create("rmsprop", {x}, {{"centered", centered}, {"momentum", momentum}});
      bowl(x).backward();
      opt->step();
      const optim::ParamState& state = opt->state(0, 0);
      CHECK(state.contains("cache"));
      CHECK(state.contains("grad_avg") == centered);
      CHECK(state.contains("momentum_buffer") == (momentum > 0));
      // The state round-trips through a state dict, optional entries included.
      Tensor y = vec({1, -2}).requires_grad_();
      auto copy = optim::create("rmsprop", {y}, {{"centered", centered}, {"momentum", momentum}});
      copy->load_state_dict(opt->state_dict());
      CHECK(copy->state(0, 0).size() == state.size());
    }
  }
}

TEST_CASE("optim adam amsgrad: the denominator uses the running maximum of v, by hand") {
  // lr=1, b2=0.5 so that v falls after the first step (b1=0.9, eps=1e-8):
  // t=1: dx = (0.1, -4)   m = (0.01, -0.4)   v = v_max = (0.005, 8)
  //      x -= 1/(1-0.9) * m / (sqrt(v/(1-0.5)) + eps) = (1, -1)  -> (1e-7, -1)   (both forms)
  // t=2: dx = (1e-8, -2)  m = (0.009, -0.56)  v = (0.0025, 6) < v_max = (0.005, 8)
  //      amsgrad: sqrt(v_max/0.75) = (0.0816497, 3.2659863)
  //               x -= (1/0.19)*m/that = (0.5801421, -0.9024436)       -> (-0.5801421, -0.0975564)
  //      plain:   sqrt(v/0.75) = (0.0577350, 2.8284271)
  //               x -= (1/0.19)*m/that = (0.8204450, -1.0420521)       -> (-0.8204449, 0.0420521)
  const optim::Options options{{"lr", 1.0}, {"beta2", 0.5}};
  optim::Options ams = options;
  ams.set("amsgrad", true);
  check_trajectory(run_on_bowl("adam", ams), {{9.99999899553572e-08, -1.0000000025},
                                      {-0.5801422009089082, -0.09755641501097068},
                                      {-0.6923463948150007, 0.5413184281486354}},
                   1e-9);
  check_trajectory(run_on_bowl("adam", options), {{9.99999899553572e-08, -1.0000000025},
                                          {-0.8204449684300386, 0.042052092468518154},
                                          {-0.8151383037835264, 1.0291049851923932}},
                   1e-9);
  // AdamW takes the same option.
  Tensor x = vec({1, -2}).requires_grad_();
  auto adamw = optim::create("adamw", {x}, {{"amsgrad", true}});
  bowl(x).backward();
  adamw->step();
  CHECK(adamw->state(0, 0).contains("v_max"));
}

TEST_CASE("optim adagrad lr_decay and initial_accumulator_value: lr/(1+(t-1)*lr_decay), cache from the value") {
  // lr=0.1, lr_decay=0.5, initial_accumulator_value=0.1, eps=1e-8:
  // t=1: lr_t = 0.1     cache = 0.1 + (0.01, 16) = (0.11, 16.1)
  //      x = (1 - 0.1*0.1/sqrt(0.11), -2 + 0.1*4/sqrt(16.1))          = (0.96984887, -1.90031104)
  // t=2: lr_t = 0.1/1.5 dx = (0.096984887, -3.80062209) cache = (0.11940607, 30.54472824)
  //                                                                    x = (0.95113775, -1.85446569)
  // t=3: lr_t = 0.1/2   cache = (0.12845270, 44.30090026)             x = (0.93786864, -1.82660368)
  check_trajectory(run_on_bowl("adagrad", {{"lr", 0.1}, {"lr_decay", 0.5}, {"initial_accumulator_value", 0.1}}),
                   {{0.9698488664513145, -1.9003110429926018},
                    {0.9511377547349751, -1.8544656927253598},
                    {0.9378686446521298, -1.8266036773983072}},
                   1e-12);
}

TEST_CASE("optim adagrad: a state saved without a step counter still loads") {
  Tensor x = vec({1, -2}).requires_grad_();
  auto opt = optim::create("adagrad", {x}, {{"lr", 0.1}});
  bowl(x).backward();
  opt->step();
  optim::StateDict dict = opt->state_dict();
  CHECK(dict.erase("state.0.0.step") == 1);  // as an older tapegrad wrote it
  Tensor y = vec({1, -2}).requires_grad_();
  auto resumed = optim::create("adagrad", {y}, {{"lr", 0.1}});
  resumed->load_state_dict(dict);
  CHECK(resumed->state(0, 0).contains("cache"));
}

TEST_CASE("optim new options refuse values out of range") {
  Tensor x = vec({1, -2}).requires_grad_();
  CHECK_ERROR(optim::create("rmsprop", {x}, {{"momentum", 1.0}}), "momentum");
  CHECK_ERROR(optim::create("adagrad", {x}, {{"lr_decay", -1.0}}), "lr_decay");
  CHECK_ERROR(optim::create("adagrad", {x}, {{"initial_accumulator_value", -0.5}}), "initial_accumulator_value");
  CHECK_ERROR(optim::create("adam", {x}, {{"amsgrad", 2.0}}), "amsgrad");
}
