// Braced lists of tensors where the API takes a span or a vector of them: none of the
// std::span calls below compiled before the initializer_list overloads (a braced list
// does not convert to std::span before C++26).
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.hpp>

#include <vector>

using tg::Tensor;

namespace {

Tensor f64(std::vector<double> v) { return tg::from_vector(v, tg::Shape{static_cast<std::int64_t>(v.size())}); }

}  // namespace

TEST_CASE("grad takes a braced list of inputs, with create_graph as third argument") {
  Tensor x = f64({1, 2, 3}).requires_grad_();
  const Tensor loss = tg::sum(x * x);
  const std::vector<Tensor> g = tg::grad(loss, {x}, true);  // d/dx sum x^2 = 2x
  REQUIRE(g.size() == 1);
  CHECK(g[0].to_vector<double>() == std::vector<double>{2, 4, 6});
  CHECK(g[0].requires_grad());  // create_graph: the gradient is itself differentiable
  const std::vector<Tensor> gg = tg::grad(tg::sum(g[0]), {x});
  CHECK(gg[0].to_vector<double>() == std::vector<double>{2, 2, 2});
}

TEST_CASE("grad takes braced lists of several inputs, outputs and output gradients") {
  Tensor x = f64({1, 2, 3}).requires_grad_();
  Tensor w = f64({4, 5, 6}).requires_grad_();
  const std::vector<Tensor> g = tg::grad(tg::sum(x * w), {x, w});
  CHECK(g[0].to_vector<double>() == std::vector<double>{4, 5, 6});
  CHECK(g[1].to_vector<double>() == std::vector<double>{1, 2, 3});
  // Two outputs: the gradients add, d(sum x + sum 2x)/dx = 3.
  const std::vector<Tensor> two = tg::grad({tg::sum(x), tg::sum(x * 2.0)}, {x});
  CHECK(two[0].to_vector<double>() == std::vector<double>{3, 3, 3});
  // A non-scalar output with its output gradient: d<v, 3x>/dx = 3v.
  const std::vector<Tensor> vjp = tg::grad({x * 3.0}, {x}, {f64({1, 0, 2})});
  CHECK(vjp[0].to_vector<double>() == std::vector<double>{3, 0, 6});
  // allow_unused through the braced form.
  Tensor unused = f64({7}).requires_grad_();
  const std::vector<Tensor> u = tg::grad({tg::sum(x)}, {x, unused}, {}, {}, /*allow_unused=*/true);
  CHECK(!u[1].defined());
}

TEST_CASE("backward takes a braced list of outputs and of output gradients") {
  Tensor x = f64({1, 2, 3}).requires_grad_();
  tg::backward({tg::sum(x), tg::sum(x * x)});  // 1 + 2x
  CHECK(x.grad().to_vector<double>() == std::vector<double>{3, 5, 7});
  Tensor y = f64({1, 1}).requires_grad_();
  tg::backward({y * 2.0}, {f64({1, -1})});
  CHECK(y.grad().to_vector<double>() == std::vector<double>{2, -2});
}

TEST_CASE("concat and stack take braced lists") {
  const Tensor a = f64({1, 2}), b = f64({3, 4});
  const Tensor c = tg::concat({a, b}, 0);
  CHECK(c.shape() == tg::Shape{4});
  CHECK(c.to_vector<double>() == std::vector<double>{1, 2, 3, 4});
  const Tensor s = tg::stack({a, b});
  CHECK(s.shape() == tg::Shape{2, 2});
  CHECK(s.to_vector<double>() == std::vector<double>{1, 2, 3, 4});
  const Tensor s1 = tg::stack({a, b}, 1);
  CHECK(s1.to_vector<double>() == std::vector<double>{1, 3, 2, 4});
}

TEST_CASE("gradcheck and l2_penalty take braced lists") {
  const Tensor x = f64({0.5, -1.5}), w = f64({2, 3});
  const auto report = tg::gradcheck([](const std::vector<Tensor>& in) { return tg::sum(in[0] * in[1]); }, {x, w});
  CHECK(report.passed());
  CHECK(report.inputs.size() == 2);
  CHECK(tg::l2_penalty({x, w}).item() == doctest::Approx(0.25 + 2.25 + 4 + 9));
}
