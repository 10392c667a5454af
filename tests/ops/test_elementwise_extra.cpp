// Activations, clamp/square/reciprocal/log1p, maximum/minimum, where and comparisons:
// hand-computed values and gradients, the oneDNN paths against the f64 reference, and
// every error message.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>

#include <tapegrad/ops/activations.hpp>
#include <tapegrad/ops/comparisons.hpp>
#include <tapegrad/ops/elementwise.hpp>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"

using tg::Tensor;

namespace {

Tensor f64(std::vector<double> v) {
  const auto n = static_cast<std::int64_t>(v.size());
  return tg::from_vector(v, {n});
}
Tensor f64(std::vector<double> v, const tg::Shape& s) { return tg::from_vector(v, s); }

void check_values(const Tensor& t, const std::vector<double>& expected, double tol = 1e-12) {
  const auto got = t.to_vector<double>();
  REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    CHECK(got[i] == doctest::Approx(expected[i]).epsilon(tol).scale(1));
  }
}

// d sum(f(x)) / dx
Tensor grad_of_sum(Tensor (*f)(const Tensor&), const Tensor& x_in) {
  Tensor x = x_in.detach().requires_grad_();
  tg::sum(f(x)).backward();
  return x.grad();
}

double phi(double x) { return std::exp(-x * x / 2) / std::sqrt(2 * std::numbers::pi); }
double cdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

}  // namespace

TEST_CASE("leaky_relu and elu: values and gradients") {
  const Tensor x = f64({-2, -0.5, 0.5, 3});
  check_values(tg::leaky_relu(x), {-0.02, -0.005, 0.5, 3});
  check_values(tg::leaky_relu(x, 0.2), {-0.4, -0.1, 0.5, 3});
  check_values(grad_of_sum([](const Tensor& t) { return tg::leaky_relu(t, 0.2); }, x), {0.2, 0.2, 1, 1});

  check_values(tg::elu(x), {std::expm1(-2.0), std::expm1(-0.5), 0.5, 3});
  check_values(tg::elu(x, 2.0), {2 * std::expm1(-2.0), 2 * std::expm1(-0.5), 0.5, 3});
  check_values(grad_of_sum([](const Tensor& t) { return tg::elu(t, 2.0); }, x),
               {2 * std::exp(-2.0), 2 * std::exp(-0.5), 1, 1});
}

TEST_CASE("gelu is the exact erf form, its gradient and second derivative") {
  const Tensor x = f64({-3, -1, 0, 0.5, 2});
  std::vector<double> y, dy, d2y;
  for (double v : x.to_vector<double>()) {
    y.push_back(v * cdf(v));
    dy.push_back(cdf(v) + v * phi(v));
    d2y.push_back(phi(v) * (2 - v * v));
  }
  check_values(tg::gelu(x), y);
  check_values(tg::gelu(f64({1.0})), {0.8413447460685429});  // PyTorch: gelu(1.) = 0.8413
  Tensor xg = x.detach().requires_grad_();
  Tensor g = tg::grad(tg::sum(tg::gelu(xg)), std::vector<Tensor>{xg}, /*create_graph=*/true)[0];
  check_values(g, dy);
  tg::sum(g).backward();
  check_values(xg.grad(), d2y);
}

TEST_CASE("clamp, square, reciprocal, log1p: values and gradients") {
  const Tensor x = f64({-2, -0.5, 0.25, 1, 4});
  check_values(tg::clamp(x, -1, 1), {-1, -0.5, 0.25, 1, 1});
  // The gradient passes where lo <= x <= hi (bounds included, as PyTorch).
  check_values(grad_of_sum([](const Tensor& t) { return tg::clamp(t, -1, 1); }, x), {0, 1, 1, 1, 0});
  check_values(tg::square(x), {4, 0.25, 0.0625, 1, 16});
  check_values(grad_of_sum(tg::square, x), {-4, -1, 0.5, 2, 8});
  check_values(tg::reciprocal(x), {-0.5, -2, 4, 1, 0.25});
  check_values(grad_of_sum(tg::reciprocal, x), {-0.25, -4, -16, -1, -0.0625});
  const Tensor small = f64({1e-10, 0.5, -0.5});
  check_values(tg::log1p(small), {1e-10 - 5e-21, std::log(1.5), std::log(0.5)});
  // Relative accuracy at 1e-10, where log(1 + x) would be off by 1e-8 relative.
  CHECK(std::abs(tg::log1p(small).to_vector<double>()[0] / (1e-10 - 5e-21) - 1) < 1e-15);
  check_values(grad_of_sum(tg::log1p, small), {1 / (1 + 1e-10), 1 / 1.5, 2});
}

TEST_CASE("clamp rejects lo > hi") {
  CHECK_ERROR(tg::clamp(tg::zeros({2}), 2, 1), "clamp: lo = 2 is greater than hi = 1");
  CHECK_ERROR(tg::square(tg::arange(3)), "square: expected a floating tensor (f32 or f64), got i64 of shape [3]");
}

TEST_CASE("large f32 activations (oneDNN) agree with the f64 reference") {
  tg::Generator gen(3);
  const Tensor x = tg::randn({299, 257}, tg::f64, &gen) * 2.0;  // a shape no other test uses
  const Tensor x32 = x.to(tg::f32);
  const auto primitives = tg::dnnl_primitives_created();
  for (auto f : {+[](const Tensor& t) { return tg::leaky_relu(t, 0.1); }, +[](const Tensor& t) { return tg::elu(t, 1.5); },
                 +[](const Tensor& t) { return tg::gelu(t); }, +[](const Tensor& t) { return tg::clamp(t, -1, 0.5); },
                 +[](const Tensor& t) { return tg::square(t); }, +[](const Tensor& t) { return tg::reciprocal(t + 10.0); }}) {
    const auto ref = f(x).to_vector<double>();
    const auto got = f(x32).to_vector<double>();
    double worst = 0;
    for (std::size_t i = 0; i < ref.size(); ++i) worst = std::max(worst, std::abs(ref[i] - got[i]) / (1 + std::abs(ref[i])));
    CHECK(worst < 1e-5);
  }
  CHECK(tg::dnnl_primitives_created() > primitives);  // they ran on oneDNN
}

TEST_CASE("maximum and minimum broadcast, ties split the gradient half/half") {
  const Tensor a = f64({1, 5, 3}, {3, 1});
  const Tensor b = f64({2, 3});
  check_values(tg::maximum(a, b), {2, 3, 5, 5, 3, 3});
  check_values(tg::minimum(a, b), {1, 1, 2, 3, 2, 3});

  Tensor x = f64({1, 2, 3}).requires_grad_(), y = f64({3, 2, 1}).requires_grad_();
  tg::sum(tg::maximum(x, y)).backward();
  check_values(x.grad(), {0, 0.5, 1});
  check_values(y.grad(), {1, 0.5, 0});
  Tensor p = f64({1, 2, 3}).requires_grad_(), q = f64({2.0}, {1}).requires_grad_();
  tg::sum(tg::minimum(p, q)).backward();
  check_values(p.grad(), {1, 0.5, 0});
  check_values(q.grad(), {1.5});  // 0 + 1/2 (tie) + 1, summed back to [1]

  const Tensor nan = f64({std::nan(""), 1});
  CHECK(std::isnan(tg::maximum(nan, f64({0, 0})).to_vector<double>()[0]));
  CHECK(std::isnan(tg::minimum(f64({0, 0}), nan).to_vector<double>()[0]));
  CHECK_ERROR(tg::maximum(tg::zeros({2}), tg::zeros({2}, tg::f64)), "maximum: dtypes differ: f32 [2] and f64 [2]");
  CHECK_ERROR(tg::minimum(tg::zeros({2, 3}), tg::zeros({4})), "minimum: shapes [2, 3] and [4] cannot be broadcast");
}

TEST_CASE("large f32 maximum (oneDNN binary) agrees with the loop") {
  tg::Generator gen(5);
  const Tensor a = tg::randn({1024, 1024}, tg::f32, &gen), b = tg::randn({1024}, tg::f32, &gen);
  const auto got = tg::maximum(b, a).to_vector<float>();  // broadcast first operand: swapped for oneDNN
  const auto av = a.to_vector<float>(), bv = b.to_vector<float>();
  bool all = true;
  for (std::size_t i = 0; i < got.size(); ++i) all = all && got[i] == std::max(av[i], bv[i % 1024]);
  CHECK(all);
}

TEST_CASE("where: any mask dtype, broadcasting of all three, gradient routing") {
  const Tensor mask_i = tg::from_vector(std::vector<std::int64_t>{1, 0, -3}, {3});
  const Tensor mask_f = f64({0.5, 0, std::nan("")});  // nonzero (NaN too) is true
  const Tensor a = f64({10, 20, 30}), b = f64({-1.0}, {1});
  check_values(tg::where(mask_i, a, b), {10, -1, 30});
  check_values(tg::where(mask_f, a, b), {10, -1, 30});
  check_values(tg::where(tg::from_vector(std::vector<float>{1, 0}, {2, 1}), a, b), {10, 20, 30, -1, -1, -1});
  const Tensor ints = tg::where(mask_i, tg::arange(3), tg::full({3}, 7, tg::i64));
  CHECK(ints.dtype() == tg::i64);
  CHECK(ints.to_vector<std::int64_t>() == std::vector<std::int64_t>{0, 7, 2});

  Tensor x = f64({1, 2, 3}).requires_grad_(), y = f64({5.0}, {1}).requires_grad_();
  tg::sum(tg::where(mask_i, x, y) * f64({1, 2, 3})).backward();
  check_values(x.grad(), {1, 0, 3});
  check_values(y.grad(), {2});

  CHECK_ERROR(tg::where(tg::zeros({2}), tg::zeros({3}), tg::zeros({3})),
              "where: mask [2], a [3] and b [3] cannot be broadcast together (dim 0 is 2, 3 and 3)");
  CHECK_ERROR(tg::where(tg::zeros({3}), tg::zeros({3}), tg::zeros({3}, tg::f64)), "where: dtypes differ: f32 [3] and f64 [3]");
}

TEST_CASE("comparisons return 0/1 in the input dtype and are never recorded") {
  const Tensor a = f64({1, 2, 3}).requires_grad_();
  const Tensor b = f64({2, 2, 2});
  check_values(tg::eq(a, b), {0, 1, 0});
  check_values(tg::ne(a, b), {1, 0, 1});
  check_values(tg::lt(a, b), {1, 0, 0});
  check_values(tg::le(a, b), {1, 1, 0});
  check_values(tg::gt(a, b), {0, 0, 1});
  check_values(tg::ge(a, b), {0, 1, 1});
  CHECK_FALSE(tg::gt(a, b).requires_grad());
  CHECK(tg::gt(a, b).dtype() == tg::f64);
  check_values(tg::lt(a, 2.0), {1, 0, 0});
  check_values(tg::ge(a, 2.0), {0, 1, 1});
  check_values(tg::eq(a, 3.0), {0, 0, 1});
  // Broadcasting, and the scalar rounded to f32 for f32 tensors (0.1f == 0.1).
  check_values(tg::gt(f64({1, 3}, {2, 1}), f64({0, 2, 4})), {1, 0, 0, 1, 1, 0});
  check_values(tg::eq(tg::full({1}, 0.1, tg::f32), 0.1), {1});
  // i64 compares exactly with a fractional value.
  const Tensor i = tg::arange(4);
  const Tensor below = tg::lt(i, 2.5);
  CHECK(below.dtype() == tg::i64);
  // Not written as a literal {1, 1, 1, 0}: GCC 12.2 with AVX-512 (-march=native here)
  // miscompiles 4 x 64-bit literals of the form {a, a, a, b} into {a, a, a, a}.
  for (std::int64_t k = 0; k < 4; ++k) CHECK(below.to_vector<std::int64_t>()[static_cast<std::size_t>(k)] == (k < 3));
  CHECK(tg::ne(i, tg::full({1}, 2, tg::i64)).dtype() == tg::i64);
  CHECK_ERROR(tg::lt(tg::zeros({2}), tg::arange(2)), "lt: dtypes differ: f32 [2] and i64 [2]");
  CHECK_ERROR(tg::eq(tg::zeros({2}), tg::zeros({3})), "eq: shapes [2] and [3] cannot be broadcast");
}

TEST_CASE("new elementwise ops work on non-contiguous views") {
  const Tensor x = tg::transpose(f64({-2, -1, 0.5, 1, 2, 3}, {2, 3}), 0, 1);  // [[-2, 1], [-1, 2], [0.5, 3]]
  check_values(tg::leaky_relu(x, 0.5), {-1, 1, -0.5, 2, 0.5, 3});
  check_values(tg::maximum(x, f64({0.0}, {1})), {0, 1, 0, 2, 0.5, 3});
  check_values(tg::where(tg::gt(x, 0.0), x, tg::zeros({}, tg::f64)), {0, 1, 0, 2, 0.5, 3});
}
