// Custom differentiable functions (tapegrad/function.hpp) written with tapegrad ops:
// values, several inputs and outputs, non-tensor arguments, needs_input_grad,
// non-differentiable outputs, second derivatives, and a function inside a bigger graph.
#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"
#include "tensor_values.hpp"

namespace {

using tg::test::check_values;
using tg::test::param;
using tg::test::vec;

// y = alpha * x^2
struct ScaledSquare : tg::Function<ScaledSquare> {
  static constexpr const char* name = "scaled_square";
  static tg::Tensor forward(tg::FunctionContext& ctx, const tg::Tensor& x, double alpha) {
    ctx.save_for_backward({x});
    ctx.saved_data["alpha"] = alpha;
    return alpha * tg::square(x);
  }
  static std::vector<tg::Tensor> backward(tg::FunctionContext& ctx, const tg::TensorList& grad_outputs) {
    return {grad_outputs[0] * ctx.saved(0) * (2 * ctx.saved_data.at("alpha").to_double())};
  }
};

// (a * b, a + b): two inputs, two outputs; backward takes a std::vector, as in LibTorch.
struct ProductAndSum : tg::Function<ProductAndSum> {
  static std::array<tg::Tensor, 2> forward(tg::FunctionContext& ctx, const tg::Tensor& a, const tg::Tensor& b) {
    ctx.save_for_backward({a, b});
    return {a * b, a + b};
  }
  static std::vector<tg::Tensor> backward(tg::FunctionContext& ctx, const std::vector<tg::Tensor>& g) {
    const std::vector<tg::Tensor> saved = ctx.get_saved_variables();
    return {g[0] * saved[1] + g[1], g[0] * saved[0] + g[1]};
  }
};

// a * b, recording what the context says about its inputs and the grad mode forward runs in.
struct Probe : tg::Function<Probe> {
  static inline std::vector<bool> forward_needs, backward_needs;
  static inline bool grad_mode_in_forward = true;
  static tg::Tensor forward(tg::FunctionContext& ctx, const tg::Tensor& a, const tg::Tensor& b) {
    forward_needs = {ctx.needs_input_grad(0), ctx.needs_input_grad(1)};
    grad_mode_in_forward = tg::is_grad_enabled();
    ctx.save_for_backward({a, b});
    return a * b;
  }
  static std::vector<tg::Tensor> backward(tg::FunctionContext& ctx, const tg::TensorList& g) {
    backward_needs = {ctx.needs_input_grad(0), ctx.needs_input_grad(1)};
    return {ctx.needs_input_grad(0) ? g[0] * ctx.saved(1) : tg::Tensor{},
            ctx.needs_input_grad(1) ? g[0] * ctx.saved(0) : tg::Tensor{}};
  }
};

// (relu(x), the mask x > 0): the mask is marked non-differentiable. Records the gradient
// backward receives for it.
struct ReluWithMask : tg::Function<ReluWithMask> {
  static inline tg::Tensor mask_gradient;
  static std::vector<tg::Tensor> forward(tg::FunctionContext& ctx, const tg::Tensor& x, bool materialize) {
    tg::Tensor mask = tg::gt(x, 0.0).to(x.dtype());
    ctx.mark_non_differentiable({mask});
    ctx.set_materialize_grads(materialize);
    ctx.save_for_backward({mask});
    return {x * mask, mask};
  }
  static tg::Tensor backward(tg::FunctionContext& ctx, const tg::TensorList& g) {
    mask_gradient = g[1];
    return g[0] * ctx.saved(0);
  }
};

// (2 x, argmax x): the integer output is non-differentiable without being marked.
struct DoubleAndArgmax : tg::Function<DoubleAndArgmax> {
  static tg::TensorList forward(tg::FunctionContext&, const tg::Tensor& x) {
    tg::TensorList out;
    out.push_back(2.0 * x);
    out.push_back(tg::argmax(x));
    return out;
  }
  static tg::Tensor backward(tg::FunctionContext&, const tg::TensorList& g) { return 2.0 * g[0]; }
};

// scale * sum_i xs[i]: a list argument is one tensor input per element.
struct ScaledListSum : tg::Function<ScaledListSum> {
  static tg::Tensor forward(tg::FunctionContext& ctx, const std::vector<tg::Tensor>& xs, double scale) {
    ctx.saved_data["scale"] = scale;
    ctx.saved_data["count"] = static_cast<std::int64_t>(xs.size());
    tg::Tensor total = xs[0];
    for (std::size_t i = 1; i < xs.size(); ++i) total = total + xs[i];
    return scale * total;
  }
  static std::vector<tg::Tensor> backward(tg::FunctionContext& ctx, const tg::TensorList& g) {
    const tg::Tensor gx = ctx.saved_data.at("scale").to_double() * g[0];
    return std::vector<tg::Tensor>(static_cast<std::size_t>(ctx.saved_data.at("count").to_int()), gx);
  }
};

// Returns its input unchanged (a function whose forward is the identity).
struct Identity : tg::Function<Identity> {
  static tg::Tensor forward(tg::FunctionContext&, const tg::Tensor& x) { return x; }
  static tg::Tensor backward(tg::FunctionContext&, const tg::TensorList& g) { return g[0]; }
};

// (y, y): the same tensor returned twice is two outputs.
struct Twice : tg::Function<Twice> {
  static std::vector<tg::Tensor> forward(tg::FunctionContext&, const tg::Tensor& x) {
    tg::Tensor y = 3.0 * x;
    return {y, y};
  }
  static tg::Tensor backward(tg::FunctionContext&, const tg::TensorList& g) { return 3.0 * (g[0] + g[1]); }
};

// A backward that forgets to reduce: the gradient of sum(x) returned as a scalar.
struct UnreducedSum : tg::Function<UnreducedSum> {
  static tg::Tensor forward(tg::FunctionContext&, const tg::Tensor& x) { return tg::sum(x); }
  static tg::Tensor backward(tg::FunctionContext&, const tg::TensorList& g) { return g[0]; }
};

std::span<const tg::Tensor> one(const tg::Tensor& t) { return {&t, 1}; }

}  // namespace

TEST_CASE("function: forward and backward of a function written with ops") {
  tg::Tensor x = param({1.0, -2.0, 3.0});
  tg::Tensor y = ScaledSquare::apply(x, 1.5);
  check_values(y, {1.5, 6.0, 13.5});
  CHECK(y.requires_grad());
  REQUIRE(y.grad_fn());
  CHECK(std::string(y.grad_fn()->name()) == "scaled_square");
  tg::sum(y).backward();
  check_values(x.grad(), {3.0, -6.0, 9.0});  // 2 alpha x
}

TEST_CASE("function: several inputs and several outputs") {
  tg::Tensor a = param({1.0, 2.0}), b = param({3.0, -4.0});
  std::array<tg::Tensor, 2> out = ProductAndSum::apply(a, b);
  check_values(out[0], {3.0, -8.0});
  check_values(out[1], {4.0, -2.0});
  CHECK(out[0].output_nr() == 0);
  CHECK(out[1].output_nr() == 1);
  CHECK(out[0].grad_fn() == out[1].grad_fn());
  // L = sum(2 * ab + a + b): dL/da = 2b + 1, dL/db = 2a + 1.
  tg::sum(2.0 * out[0] + out[1]).backward();
  check_values(a.grad(), {7.0, -7.0});
  check_values(b.grad(), {3.0, 5.0});
}

TEST_CASE("function: an output nothing used gets a zero gradient in backward") {
  tg::Tensor a = param({1.0, 2.0}), b = param({3.0, -4.0});
  tg::sum(ProductAndSum::apply(a, b)[1]).backward();  // only a + b
  check_values(a.grad(), {1.0, 1.0});
  check_values(b.grad(), {1.0, 1.0});
}

TEST_CASE("function: non-tensor arguments and list arguments") {
  tg::Tensor a = param({1.0, 2.0}), b = param({3.0, 4.0}), c = vec({10.0, 20.0});
  tg::Tensor y = ScaledListSum::apply(std::vector<tg::Tensor>{a, b, c}, 0.5);
  check_values(y, {7.0, 13.0});
  tg::sum(y).backward();
  check_values(a.grad(), {0.5, 0.5});
  check_values(b.grad(), {0.5, 0.5});
  CHECK_FALSE(c.grad().defined());
}

TEST_CASE("function: needs_input_grad follows requires_grad in forward and backward") {
  tg::Tensor a = param({1.0, 2.0}), b = vec({3.0, 4.0});
  tg::Tensor y = Probe::apply(a, b);
  CHECK(Probe::forward_needs == std::vector<bool>{true, false});
  CHECK_FALSE(Probe::grad_mode_in_forward);
  tg::sum(y).backward();
  CHECK(Probe::backward_needs == std::vector<bool>{true, false});
  check_values(a.grad(), {3.0, 4.0});
}

TEST_CASE("function: nothing is recorded without an input that requires grad, or under NoGradGuard") {
  tg::Tensor a = vec({1.0, 2.0}), b = vec({3.0, 4.0});
  tg::Tensor y = Probe::apply(a, b);
  CHECK_FALSE(y.requires_grad());
  CHECK_FALSE(y.grad_fn());
  CHECK(Probe::forward_needs == std::vector<bool>{false, false});

  tg::Tensor p = param({1.0, 2.0});
  tg::NoGradGuard no_grad;
  tg::Tensor z = Probe::apply(p, b);
  CHECK_FALSE(z.requires_grad());
  CHECK(Probe::forward_needs == std::vector<bool>{false, false});
  check_values(z, {3.0, 8.0});
}

TEST_CASE("function: a non-differentiable output does not require grad and its gradient is zero") {
  tg::Tensor x = param({-1.0, 2.0, 3.0});
  std::vector<tg::Tensor> out = ReluWithMask::apply(x, true);
  CHECK(out[0].requires_grad());
  CHECK_FALSE(out[1].requires_grad());
  check_values(out[1], {0.0, 1.0, 1.0});
  tg::sum(out[0] * out[0]).backward();
  check_values(x.grad(), {0.0, 4.0, 6.0});
  REQUIRE(ReluWithMask::mask_gradient.defined());
  check_values(ReluWithMask::mask_gradient, {0.0, 0.0, 0.0});
}

TEST_CASE("function: without materialized gradients backward sees an undefined tensor") {
  tg::Tensor x = param({-1.0, 2.0});
  tg::sum(ReluWithMask::apply(x, false)[0]).backward();
  CHECK_FALSE(ReluWithMask::mask_gradient.defined());
  check_values(x.grad(), {0.0, 1.0});
}

TEST_CASE("function: an integer output is non-differentiable without being marked") {
  tg::Tensor x = param({1.0, 5.0, 2.0});
  tg::TensorList out = DoubleAndArgmax::apply(x);
  CHECK(out[0].requires_grad());
  CHECK_FALSE(out[1].requires_grad());
  CHECK(out[1].dtype() == tg::i64);
  CHECK(out[1].item() == 1.0);
  tg::sum(out[0]).backward();
  check_values(x.grad(), {2.0, 2.0, 2.0});
}

TEST_CASE("function: an input returned unchanged keeps its own history") {
  tg::Tensor x = param({1.0, 2.0});
  tg::Tensor y = Identity::apply(x);
  CHECK(x.is_leaf());
  CHECK_FALSE(x.grad_fn());
  CHECK_FALSE(y.same(x));
  REQUIRE(y.grad_fn());
  CHECK(std::string(y.grad_fn()->name()) == "Identity");
  tg::sum(3.0 * y).backward();
  check_values(x.grad(), {3.0, 3.0});
}

TEST_CASE("function: a wrongly shaped gradient is the engine's error naming the function") {
  tg::Tensor x = param({1.0, 2.0, 3.0});
  CHECK_ERROR(UnreducedSum::apply(x).backward(),
              "backward: UnreducedSum returned a gradient of shape [] and dtype f64 for its input 0, which has "
              "shape [3] and dtype f64");
}

TEST_CASE("function: gradcheck and gradgradcheck pass a function written with ops") {
  const tg::Tensor x = vec({0.3, -1.2, 2.5, 0.7});
  const auto scaled_square = [](const std::vector<tg::Tensor>& in) { return ScaledSquare::apply(in[0], 1.5); };
  CHECK(tg::gradcheck(scaled_square, {x}).verdict == tg::Verdict::good);
  CHECK(tg::gradgradcheck(scaled_square, {x}).verdict == tg::Verdict::good);

  const auto product_and_sum = [](const std::vector<tg::Tensor>& in) {
    const std::array<tg::Tensor, 2> out = ProductAndSum::apply(in[0], in[1]);
    return std::vector<tg::Tensor>{tanh(out[0]), out[1]};
  };
  const tg::GradcheckReport first = tg::gradcheck(product_and_sum, {x, vec({1.0, 0.5, -0.4, 2.0})});
  CHECK(first.verdict == tg::Verdict::good);
  CHECK(first.inputs.size() == 2);
  CHECK(tg::gradgradcheck(product_and_sum, {x, vec({1.0, 0.5, -0.4, 2.0})}).verdict == tg::Verdict::good);
}

TEST_CASE("function: the second derivative through a backward written with ops") {
  tg::Tensor x = param({1.0, -2.0});
  // d/dx sum(alpha x^2) = 2 alpha x; d/dx sum(x * that) = 4 alpha x.
  std::vector<tg::Tensor> g = tg::grad(tg::sum(ScaledSquare::apply(x, 1.5)), one(x), /*create_graph=*/true);
  check_values(g[0], {3.0, -6.0});
  std::vector<tg::Tensor> gg = tg::grad(tg::sum(x * g[0]), one(x));
  check_values(gg[0], {6.0, -12.0});
}

TEST_CASE("function: a function inside a bigger graph gives the gradients of the same graph written with ops") {
  tg::manual_seed(3);
  const tg::Tensor x = tg::randn({2, 3}, tg::f64);
  tg::Tensor w = tg::randn({3, 4}, tg::f64).requires_grad_();
  tg::Tensor c = tg::randn({4}, tg::f64).requires_grad_();
  const auto loss = [&](bool custom) {
    const tg::Tensor h = tg::tanh(tg::matmul(x, w));
    const tg::Tensor y = custom ? ScaledSquare::apply(h, 0.5) : 0.5 * tg::square(h);
    return tg::sum(tg::sigmoid(y + c));
  };
  const std::vector<tg::Tensor> params{w, c};
  const std::vector<tg::Tensor> expected = tg::grad(loss(false), params);
  const std::vector<tg::Tensor> got = tg::grad(loss(true), params);
  tg::test::check_close(got[0].to_vector<double>(), expected[0].to_vector<double>(), 1e-14);
  tg::test::check_close(got[1].to_vector<double>(), expected[1].to_vector<double>(), 1e-14);
}

TEST_CASE("function: a tensor returned twice is two outputs, each with its own gradient") {
  tg::Tensor x = param({1.0, 2.0});
  std::vector<tg::Tensor> out = Twice::apply(x);
  CHECK(out[0].output_nr() == 0);
  CHECK(out[1].output_nr() == 1);
  tg::sum(out[0] + 2.0 * out[1]).backward();
  check_values(x.grad(), {9.0, 9.0});  // 3 (1 + 2)
}
