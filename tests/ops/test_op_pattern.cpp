// The one way ops are written (ops/src/op_pattern.hpp): an op struct run by ops::apply,
// and fused_or_composed, the rule for backward rules with a fused kernel.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"
#include "op_pattern.hpp"

using tg::Tensor;

namespace {

// What the test op saw, reset by each test.
struct Seen {
  int saves = 0;
  int backwards = 0;
  bool needed_a = false, needed_b = false;
};
Seen seen;

// y = a * b + a on contiguous f64 vectors (a plain loop, its "kernel"), saving a and
// b; reports what the pattern asked of it.
struct MulAddOp {
  static constexpr const char* name = "test_mul_add";
  static constexpr std::size_t num_saved = 2;
  Tensor forward(const Tensor& a, const Tensor& b) const {
    TG_CHECK(a.dtype() == tg::f64 && b.dtype() == tg::f64 && a.shape() == b.shape(), "test_mul_add: f64 vectors");
    Tensor out = tg::empty(a.shape(), tg::f64);
    for (std::int64_t i = 0; i < a.numel(); ++i)
      out.data<double>()[i] = a.data<double>()[i] * b.data<double>()[i] + a.data<double>()[i];
    return out;
  }
  void save(tg::ops::OpContext& ctx, const Tensor& a, const Tensor& b, const Tensor&) const {
    ++seen.saves;
    ctx.save(0, a);
    ctx.save(1, b);
  }
  tg::TensorList backward(const tg::ops::OpContext& ctx, const Tensor& g) const {
    ++seen.backwards;
    seen.needed_a = ctx.needs_input_grad(0);
    seen.needed_b = ctx.needs_input_grad(1);
    return tg::ops::grads(seen.needed_a ? g * (ctx.saved(1) + 1.0) : Tensor{},
                          seen.needed_b ? g * ctx.saved(0) : Tensor{});
  }
};

Tensor mul_add(const Tensor& a, const Tensor& b) { return tg::ops::apply(MulAddOp{}, a, b); }

// Two outputs: (2 x, x^2), saving its second output; d/dx = 2 g0 + 2 x g1.
struct TwiceAndSquareOp {
  static constexpr const char* name = "test_twice_and_square";
  static constexpr std::size_t num_saved = 1;
  std::array<Tensor, 2> forward(const Tensor& x) const {
    tg::NoGradGuard no_grad;
    return {x * 2.0, x * x};
  }
  void save(tg::ops::OpContext& ctx, const Tensor& x, const std::array<Tensor, 2>&) const { ctx.save(0, x); }
  tg::TensorList backward(const tg::ops::OpContext& ctx, const tg::TensorList& g) const {
    Tensor dx;
    if (g[0].defined()) dx = g[0] * 2.0;
    if (g[1].defined()) {
      const Tensor d1 = g[1] * ctx.saved(0) * 2.0;
      dx = dx.defined() ? dx + d1 : d1;
    }
    return tg::ops::grads(dx);
  }
};

// Tells which form fused_or_composed picked: the fused form returns 1 + g, the composed
// form g + 1 as a recorded op.
Tensor pick(const Tensor& g, const Tensor& saved, bool* fused) {
  return tg::ops::fused_or_composed(
      {&g, &saved},
      [&] {
        *fused = true;
        tg::NoGradGuard no_grad;
        return g + 1.0;
      },
      [&] {
        *fused = false;
        return g + 1.0;
      });
}

}  // namespace

TEST_CASE("op pattern: apply records a node named by the op with one edge per input") {
  seen = {};
  const Tensor a = tg::from_vector(std::vector<double>{1, 2}, {2}).requires_grad_();
  const Tensor b = tg::from_vector(std::vector<double>{3, 4}, {2});
  const Tensor y = mul_add(a, b);
  REQUIRE(y.grad_fn());
  CHECK(std::string(y.grad_fn()->name()) == "test_mul_add");
  CHECK(y.grad_fn()->edges().size() == 2);
  CHECK(y.grad_fn()->edges()[0].valid());
  CHECK_FALSE(y.grad_fn()->edges()[1].valid());
  CHECK(seen.saves == 1);
  tg::sum(y).backward();
  CHECK(seen.backwards == 1);
  CHECK(seen.needed_a);
  CHECK_FALSE(seen.needed_b);  // b does not require grad: backward is told so
  CHECK(a.grad().to_vector<double>() == std::vector<double>{4, 5});
}

TEST_CASE("op pattern: nothing is recorded or saved when no input requires grad or under NoGradGuard") {
  seen = {};
  const Tensor a = tg::ones({2}, tg::f64), b = tg::ones({2}, tg::f64);
  CHECK_FALSE(mul_add(a, b).grad_fn());
  const Tensor c = tg::ones({2}, tg::f64).requires_grad_();
  {
    tg::NoGradGuard no_grad;
    CHECK_FALSE(mul_add(c, b).grad_fn());
  }
  CHECK(seen.saves == 0);
}

TEST_CASE("op pattern: a tensor saved with ctx.save and modified in place is refused at backward, naming the op") {
  const Tensor a = tg::ones({2}, tg::f64).requires_grad_();
  Tensor b = tg::full({2}, 3.0, tg::f64);
  const Tensor y = tg::sum(mul_add(a, b));
  b.fill_(5.0);
  CHECK_ERROR(y.backward(), "a tensor saved by test_mul_add was modified in place after it was saved");
}

TEST_CASE("op pattern: in anomaly mode apply names the op whose output is not finite") {
  tg::AnomalyModeGuard anomaly;
  const Tensor a = tg::full({2}, 1e308, tg::f64).requires_grad_();
  CHECK_ERROR(mul_add(a, a), "test_mul_add");
}

TEST_CASE("fused_or_composed: a plain backward runs the fused form") {
  const Tensor g = tg::ones({2}, tg::f64), saved = tg::ones({2}, tg::f64).requires_grad_();
  bool fused = false;
  tg::NoGradGuard no_grad;  // what the engine sets for a backward without create_graph
  const Tensor r = pick(g, saved, &fused);
  CHECK(fused);
  CHECK_FALSE(r.grad_fn());
}

TEST_CASE("fused_or_composed: under create_graph the composition runs when the gradient depends on a tensor that requires grad") {
  const Tensor g = tg::ones({2}, tg::f64), saved = tg::ones({2}, tg::f64).requires_grad_();
  bool fused = true;
  const Tensor r = pick(g + saved, saved, &fused);
  CHECK_FALSE(fused);
  CHECK(r.grad_fn());
}

TEST_CASE("fused_or_composed: under create_graph the fused form runs when nothing the gradient depends on requires grad") {
  const Tensor g = tg::ones({2}, tg::f64), saved = tg::ones({2}, tg::f64);
  bool fused = false;
  const Tensor r = pick(g, saved, &fused);
  CHECK(fused);
  CHECK_FALSE(r.requires_grad());
}

TEST_CASE("cross_entropy records a node named cross_entropy, so a modified label names it") {
  const Tensor logits = tg::zeros({2, 3}).requires_grad_();
  Tensor labels = tg::from_vector(std::vector<std::int64_t>{0, 2}, {2});
  const Tensor loss = tg::cross_entropy(logits, labels);
  REQUIRE(loss.grad_fn());
  CHECK(std::string(loss.grad_fn()->name()) == "cross_entropy");
  {
    tg::NoGradGuard no_grad;
    labels.fill_(1.0);
  }
  CHECK_ERROR(loss.backward(), "a tensor saved by cross_entropy was modified in place");
}

TEST_CASE("softmax gradient under create_graph is recorded, so a second derivative flows through it") {
  const Tensor x = tg::from_vector(std::vector<double>{0.5, -1, 2}, {1, 3}).requires_grad_();
  const Tensor y = tg::softmax(x, 1);
  const Tensor w = tg::from_vector(std::vector<double>{1, 2, 3}, {1, 3});
  const auto g = tg::grad(tg::sum(y * w), std::vector<Tensor>{x}, /*create_graph=*/true);
  REQUIRE(g[0].grad_fn());
  // Without create_graph the fused kernel gives the same values with no graph.
  const auto plain = tg::grad(tg::sum(tg::softmax(x, 1) * w), std::vector<Tensor>{x});
  CHECK_FALSE(plain[0].grad_fn());
  const auto a = g[0].to_vector<double>(), b = plain[0].to_vector<double>();
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i] == doctest::Approx(b[i]).epsilon(1e-12));
}

TEST_CASE("op pattern: an op with two outputs records one node, each output its own output number") {
  const Tensor x = tg::from_vector(std::vector<double>{1, 3}, {2}).requires_grad_();
  const auto [twice, square] = tg::ops::apply(TwiceAndSquareOp{}, x);
  REQUIRE(twice.grad_fn());
  CHECK(twice.grad_fn() == square.grad_fn());
  CHECK(twice.grad_fn()->num_outputs() == 2);
  // Both outputs used: d/dx sum(2x + x^2) = 2 + 2x.
  tg::sum(twice + square).backward();
  CHECK(x.grad().to_vector<double>() == std::vector<double>{4, 8});
  // Only the second used: the first output's gradient arrives undefined.
  const Tensor y = tg::from_vector(std::vector<double>{1, 3}, {2}).requires_grad_();
  const auto outs = tg::ops::apply(TwiceAndSquareOp{}, y);
  tg::sum(outs[1]).backward();
  CHECK(y.grad().to_vector<double>() == std::vector<double>{2, 6});
}

TEST_CASE("max_pool2d on oneDNN under create_graph records its gradient as max_pool2d_backward, differentiable again") {
  // [2, 4, 32, 32] f32: above the size from which pooling runs on oneDNN, whose backward
  // the op pattern records as an index scatter (index_scatter with a computed result).
  std::vector<double> values(2 * 4 * 32 * 32);  // distinct: no ties within a window
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = std::sin(1.7 * static_cast<double>(i)) * 2;
  const Tensor x64 = tg::from_vector(values, {2, 4, 32, 32});
  for (const tg::DType dtype : {tg::f32, tg::f64}) {
    const Tensor x = x64.to(dtype).detach().requires_grad_();
    const Tensor y = tg::max_pool2d(x, 2);
    const auto g = tg::grad(tg::sum(y * y), std::vector<Tensor>{x}, /*create_graph=*/true);
    REQUIRE(g[0].grad_fn());
    CHECK(std::string(g[0].grad_fn()->name()) == "max_pool2d_backward");
    // d/dx sum(g^2) with g = 2 y at each window's max: 8 y there, 0 elsewhere.
    const auto gg = tg::grad(tg::sum(g[0] * g[0]), std::vector<Tensor>{x});
    const auto expected = (tg::max_pool2d_backward(tg::max_pool2d(x64, 2) * 8.0, x64, 2, 2, 0)).to_vector<double>();
    const auto got = gg[0].to(tg::f64).to_vector<double>();
    REQUIRE(got.size() == expected.size());
    double worst = 0;
    for (std::size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::abs(got[i] - expected[i]));
    CHECK(worst < 1e-5);
  }
}
