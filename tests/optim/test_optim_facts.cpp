// What every first-order optimizer does around its formula: weight decay, clipping by
// value and by global norm, maximize, parameter groups (per-group lr, frozen groups),
// parameters without gradients, version counters, step(closure), and parameter checks.
#include <doctest/doctest.h>

#include <cmath>
#include <tapegrad/optim/optim.hpp>
#include <tapegrad/tapegrad.hpp>

#include "tensor_values.hpp"

using tg::Tensor;
namespace optim = tg::optim;

namespace {

using tg::test::check_close;
using tg::test::param;
using tg::test::values;
using tg::test::vec;

Tensor bowl(const Tensor& x) { return tg::sum(x * x * vec({0.05, 1.0})); }  // dx = (x/10, 2y)

void one_step(optim::Optimizer& opt, const Tensor& loss) {
  opt.zero_grad();
  loss.backward();
  opt.step();
}

}  // namespace

TEST_CASE("optim weight_decay adds weight_decay*x to the gradient (an L2 penalty)") {
  // sgd, lr=0.1, wd=0.1 from (1, -2): g = (0.1 + 0.1, -4 - 0.2) = (0.2, -4.2) -> (0.98, -1.58)
  Tensor x = param({1, -2});
  auto opt = optim::create("sgd", {x}, {{"lr", 0.1}, {"weight_decay", 0.1}});
  one_step(*opt, bowl(x));
  check_close(values(x), {0.98, -1.58});

  // The same as descending f + (wd/2)*||x||^2, for any first-order optimizer.
  Tensor a = param({1, -2}), b = param({1, -2});
  auto with_decay = optim::create("adam", {a}, {{"lr", 0.1}, {"weight_decay", 0.3}});
  auto plain = optim::create("adam", {b}, {{"lr", 0.1}});
  for (int t = 0; t < 5; ++t) {
    one_step(*with_decay, bowl(a));
    one_step(*plain, bowl(b) + tg::sum(b * b) * 0.15);
  }
  check_close(values(a), values(b), 1e-12);
}

TEST_CASE("optim clip_value clamps each gradient element, the .grad() tensor is unchanged") {
  // sgd lr=0.1, clip 1: g = clamp((0.1, -4), -1, 1) = (0.1, -1) -> (0.99, -1.9)
  Tensor x = param({1, -2});
  auto opt = optim::create("sgd", {x}, {{"lr", 0.1}, {"clip_value", 1.0}});
  one_step(*opt, bowl(x));
  check_close(values(x), {0.99, -1.9});
  check_close(values(x.grad()), {0.1, -4});
}

TEST_CASE("optim clip_norm scales all gradients by clip_norm/||g|| when the global norm exceeds it") {
  // loss = 3a + 4b: gradients 3 and 4 in two tensors, global norm 5.
  Tensor a = param({0}), b = param({0});
  auto clipped = optim::create("sgd", {a, b}, {{"lr", 1.0}, {"clip_norm", 1.0}});
  one_step(*clipped, a * 3.0 + b * 4.0);
  check_close(values(a), {-0.6});  // 3 * 1/5
  check_close(values(b), {-0.8});  // 4 * 1/5
  // Below the threshold nothing changes.
  Tensor c = param({0}), d = param({0});
  auto loose = optim::create("sgd", {c, d}, {{"lr", 1.0}, {"clip_norm", 10.0}});
  one_step(*loose, c * 3.0 + d * 4.0);
  check_close(values(c), {-3});
  check_close(values(d), {-4});
}

TEST_CASE("optim maximize ascends: x += lr*dx, and adam on f with maximize is adam on -f") {
  Tensor x = param({1, -2});
  auto opt = optim::create("sgd", {x}, {{"lr", 0.1}, {"maximize", true}});
  one_step(*opt, bowl(x));
  check_close(values(x), {1.01, -2.4});

  Tensor a = param({1, -2}), b = param({1, -2});
  auto up = optim::create("adam", {a}, {{"lr", 0.1}, {"maximize", true}});
  auto down = optim::create("adam", {b}, {{"lr", 0.1}});
  for (int t = 0; t < 4; ++t) {
    one_step(*up, bowl(a));
    one_step(*down, -bowl(b));
  }
  check_close(values(a), values(b), 0);
}

TEST_CASE("optim parameter groups: per-group lr, and a frozen group is left untouched") {
  Tensor backbone = param({1, -2}), head = param({1, -2}), frozen = param({1, -2});
  std::vector<optim::ParamGroup> groups(3);
  groups[0].params = {backbone};
  groups[0].options = {{"lr", 0.01}};  // fine-tuned at a lower rate
  groups[1].params = {head};            // the optimizer-wide lr
  groups[2].params = {frozen};
  groups[2].frozen = true;
  auto opt = optim::create("sgd", groups, {{"lr", 0.1}});
  CHECK(opt->lr(0) == 0.01);
  CHECK(opt->lr(1) == 0.1);
  opt->zero_grad();
  (bowl(backbone) + bowl(head) + bowl(frozen)).backward();
  const auto frozen_version = frozen.version();
  opt->step();
  check_close(values(backbone), {1 - 0.001, -2 + 0.04});
  check_close(values(head), {0.99, -1.6});
  CHECK(values(frozen) == std::vector<double>{1, -2});
  CHECK(frozen.version() == frozen_version);
  CHECK(opt->state(2, 0).empty());

  // Momentum state too: a frozen group keeps none, and unfreezing resumes it.
  Tensor y = param({1, -2});
  std::vector<optim::ParamGroup> g(1);
  g[0].params = {y};
  g[0].frozen = true;
  auto adam = optim::create("adam", g, {{"lr", 0.1}});
  one_step(*adam, bowl(y));
  CHECK(adam->state(0, 0).empty());
  adam->set_frozen(0, false);
  one_step(*adam, bowl(y));
  check_close(values(y), {0.900000009999999, -1.90000000025});  // adam's first step (see test_optim.cpp)
}

TEST_CASE("optim a parameter without a gradient is skipped (no update, no state)") {
  Tensor used = param({1, -2}), unused = param({5});
  auto opt = optim::create("adam", {used, unused}, {{"lr", 0.1}});
  one_step(*opt, bowl(used));
  CHECK_FALSE(unused.grad().defined());
  CHECK(values(unused) == std::vector<double>{5});
  CHECK(opt->state(0, 1).empty());
  CHECK(opt->state(0, 0).at("step").item() == 1);
}

TEST_CASE("optim a step updates in place and bumps the version counter") {
  Tensor x = param({1, -2});
  const void* data = x.raw_data();
  auto opt = optim::create("momentum", {x}, {{"lr", 0.1}});
  opt->zero_grad();
  bowl(x).backward();
  const auto before = x.version();
  opt->step();
  CHECK(x.version() > before);
  CHECK(x.raw_data() == data);
  // A tensor saved for backward before the step is now stale: the tape says so.
  Tensor y = x * x;
  opt->zero_grad();
  tg::sum(x * 1.0).backward();
  opt->step();
  CHECK_THROWS_WITH_AS(tg::sum(y).backward(), doctest::Contains("modified in place"), tg::Error);
}

TEST_CASE("optim zero_grad sets gradients to undefined, or to zeros in place") {
  Tensor x = param({1, -2});
  auto opt = optim::create("sgd", {x});
  bowl(x).backward();
  opt->zero_grad(/*set_to_none=*/false);
  REQUIRE(x.grad().defined());
  CHECK(values(x.grad()) == std::vector<double>{0, 0});
  opt->zero_grad();
  CHECK_FALSE(x.grad().defined());
}

TEST_CASE("optim step(closure) on a first-order optimizer: backward by the closure or by the optimizer") {
  for (bool closure_calls_backward : {false, true}) {
    Tensor x = param({1, -2});
    auto opt = optim::create("sgd", {x}, {{"lr", 0.1}});
    bowl(x).backward();  // a stale gradient: step(closure) clears it first
    const Tensor loss = opt->step([&] {
      Tensor l = bowl(x);
      if (closure_calls_backward) l.backward();
      return l;
    });
    CHECK(loss.item() == doctest::Approx(4.05));  // f(1, -2) = 1/20 + 4
    check_close(values(x), {0.99, -1.6});
  }
  Tensor x = param({1});
  auto opt = optim::create("sgd", {x});
  CHECK_THROWS_WITH_AS(opt->step([] { return tg::ones({2}); }), doctest::Contains("must return the (scalar) loss"),
                       tg::Error);
}

TEST_CASE("optim a non-contiguous parameter (a transposed leaf) is updated through its strides") {
  Tensor base = tg::from_vector(std::vector<double>{1, 2, 3, 4, 5, 6}, tg::Shape{2, 3});
  Tensor x = tg::transpose(base, 0, 1);  // shape [3, 2], not contiguous, a leaf
  REQUIRE_FALSE(x.is_contiguous());
  x.requires_grad_();
  auto opt = optim::create("sgd", {x}, {{"lr", 0.5}});
  one_step(*opt, tg::sum(x * x));  // dx = 2x -> x -= x: all zeros
  CHECK(values(base) == std::vector<double>{0, 0, 0, 0, 0, 0});
}

TEST_CASE("optim parameters must be distinct floating leaves, in non-empty groups") {
  Tensor leaf = param({1});
  CHECK_THROWS_WITH_AS(optim::create("sgd", {leaf * 2.0}),
                       doctest::Contains("sgd: parameter 0 of group 0 (shape [1]) is not a leaf tensor (it was made by"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(optim::create("adam", {tg::zeros({2}, tg::i64)}),
                       doctest::Contains("adam: parameter 0 of group 0 (shape [2]) has dtype i64; optimizers update "
                                         "floating tensors"),
                       tg::Error);
  std::vector<optim::ParamGroup> with_empty(2);
  with_empty[0].params = {leaf};
  CHECK_THROWS_WITH_AS(optim::create("sgd", with_empty),
                       doctest::Contains("sgd: parameter group 1 is empty; a group needs at least one parameter"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(optim::create("adam", {leaf, leaf}), doctest::Contains("appears more than once"), tg::Error);
  CHECK_THROWS_WITH_AS(optim::create("adam", std::vector<Tensor>{}), doctest::Contains("adam: no parameters to optimize"),
                       tg::Error);
  auto opt = optim::create("adam", {leaf});
  CHECK_THROWS_WITH_AS(opt->add_param_group({{leaf}}), doctest::Contains("appears more than once"), tg::Error);
  CHECK_THROWS_WITH_AS(opt->add_param_group({}), doctest::Contains("adam: parameter group 1 is empty"), tg::Error);
  CHECK_THROWS_WITH_AS(opt->set_lr(-1), doctest::Contains("adam: option 'lr' must satisfy lr >= 0, got -1"), tg::Error);
}

TEST_CASE("optim a parameter with requires_grad false is accepted and skipped until it requires grad again") {
  // As PyTorch: a frozen layer's weights may be handed to the optimizer with the rest.
  for (const char* name : {"sgd", "momentum", "adam", "rmsprop", "adagrad"}) {
    INFO(name);
    Tensor trained = param({1, 2});
    Tensor frozen = vec({3, 4});  // requires_grad false
    auto opt = optim::create(name, {trained, frozen}, {{"lr", 0.1}});
    opt->zero_grad();
    tg::sum(trained * trained).backward();
    frozen.set_grad(vec({1, 1}));  // a stale gradient is not a reason to move it
    opt->step();
    CHECK(values(frozen) == std::vector<double>{3, 4});
    CHECK(opt->state(0, 1).empty());
    CHECK(values(trained) != std::vector<double>{1, 2});
    frozen.requires_grad_();  // unfreezing: the next step updates it
    one_step(*opt, tg::sum(trained * trained) + tg::sum(frozen * frozen));
    CHECK(values(frozen) != std::vector<double>{3, 4});
  }
}

TEST_CASE("optim lbfgs and newton optimize only the parameters that require grad") {
  for (const char* name : {"lbfgs", "newton"}) {
    INFO(name);
    Tensor x = vec({1, -2}).requires_grad_();
    Tensor frozen = vec({5});
    auto opt = optim::create(name, {x, frozen}, {{"lr", 1.0}});
    const auto closure = [&] { return tg::sum(x * x * vec({0.05, 1.0})) + tg::sum(frozen * x); };
    opt->step(closure);
    CHECK(values(frozen) == std::vector<double>{5});
    // The minimum of x^2/20 + y^2 + 5(x + y) is at (-50, -2.5); newton reaches it in one
    // step, lbfgs gets there in its iterations.
    CHECK(values(x)[0] == doctest::Approx(-50).epsilon(1e-6));
    CHECK(values(x)[1] == doctest::Approx(-2.5).epsilon(1e-6));
  }
}
