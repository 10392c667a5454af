// max, min, argmax, argmin, var, std_dev, logsumexp: hand-computed values and
// gradients, axes and keepdim, ties, the oneDNN paths, and the errors.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include <tapegrad/tapegrad.hpp>
#include <tapegrad/ops/reduce.hpp>

#include "check_error.hpp"
#include "tensor_values.hpp"

using tg::Tensor;

namespace {

using tg::test::f64;

template <class T>
void check_values(const Tensor& t, const std::vector<T>& expected, double tol = 1e-12) {
  const auto got = t.to_vector<T>();
  REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    if constexpr (std::is_floating_point_v<T>) {
      if (tol == 0) CHECK(got[i] == expected[i]);
      else CHECK(got[i] == doctest::Approx(expected[i]).epsilon(tol));
    } else {
      CHECK(got[i] == expected[i]);
    }
  }
}

using I = std::vector<std::int64_t>;
using D = std::vector<double>;

}  // namespace

TEST_CASE("max and min over all elements, over axes, with keepdim") {
  const Tensor x = f64({1, 5, 2, 7, 0, 7}, {2, 3});
  CHECK(tg::max(x).item() == 7);
  CHECK(tg::max(x).shape() == tg::Shape{});
  CHECK(tg::min(x).item() == 0);
  check_values(tg::max(x, {1}), D{5, 7});
  check_values(tg::max(x, {0}), D{7, 5, 7});
  check_values(tg::min(x, {-1}), D{1, 0});
  CHECK(tg::max(x, {-1}, true).shape() == tg::Shape{2, 1});
  CHECK(tg::max(x, {0, 1}).item() == 7);
  // A transposed view reduces its logical axes.
  check_values(tg::max(tg::transpose(x, 0, 1), {1}), D{7, 5, 7});
}

TEST_CASE("max's gradient goes to the maximum, split evenly among ties") {
  Tensor x = f64({1, 5, 2, 7, 0, 7}, {2, 3}).requires_grad_();
  tg::sum(tg::max(x, {1})).backward();
  check_values(x.grad(), D{0, 1, 0, 0.5, 0, 0.5});
  Tensor y = f64({1, 5, 2, 7, 0, 7}, {2, 3}).requires_grad_();
  tg::max(y).backward();
  check_values(y.grad(), D{0, 0, 0, 0.5, 0, 0.5});
  Tensor z = f64({1, 5, 2, 7, 0, 7}, {2, 3}).requires_grad_();
  tg::min(z, {0}, true).backward(f64({10, 20, 30}, {1, 3}));
  check_values(z.grad(), D{10, 0, 30, 0, 20, 0});
}

TEST_CASE("max and min on oneDNN (large f32) match the f64 reference exactly") {
  tg::Generator gen(2);
  const Tensor x = tg::randn({64, 200}, tg::f64, &gen);
  const Tensor xf = x.to(tg::f32);
  for (const Tensor& t : {x, tg::transpose(x, 0, 1)}) {
    const Tensor tf = t.to(tg::f32);
    check_values(tg::max(tf, {1}), tg::max(t, {1}).to(tg::f32).to_vector<float>(), 0);
    check_values(tg::min(tf, {0}), tg::min(t, {0}).to(tg::f32).to_vector<float>(), 0);
  }
  CHECK(tg::max(xf).item() == static_cast<float>(tg::max(x).item()));
}

TEST_CASE("argmax and argmin: first index on ties, i64, never recorded") {
  Tensor x = f64({1, 5, 2, 7, 0, 7}, {2, 3}).requires_grad_();
  const Tensor a = tg::argmax(x, 1);
  CHECK(a.dtype() == tg::i64);
  CHECK_FALSE(a.requires_grad());
  check_values(a, I{1, 0});
  check_values(tg::argmax(x, 0), I{1, 0, 1});
  check_values(tg::argmin(x, -1), I{0, 1});
  CHECK(tg::argmax(x, -1, true).shape() == tg::Shape{2, 1});
  CHECK(tg::argmax(x).item() == 3);
  CHECK(tg::argmin(x).item() == 4);
  check_values(tg::argmax(tg::transpose(x, 0, 1), 0), I{1, 0});
  CHECK(tg::argmax(tg::transpose(x, 0, 1)).item() == 1);  // [[1, 7], [5, 0], [2, 7]] flattened
  check_values(tg::argmax(x.to(tg::f32), 1), I{1, 0});
  check_values(tg::argmax(f64({1, std::nan(""), 3}, {3}), 0), I{1});
}

TEST_CASE("var and std_dev of a small vector") {
  const Tensor x = f64({1, 2, 3, 4}, {4});
  CHECK(tg::var(x).item() == doctest::Approx(5.0 / 3));  // unbiased by default
  CHECK(tg::var(x, {}, false, 0).item() == doctest::Approx(1.25));
  CHECK(tg::std_dev(x).item() == doctest::Approx(std::sqrt(5.0 / 3)));
  CHECK(tg::std_dev(x, {0}, false, 0).item() == doctest::Approx(std::sqrt(1.25)));
  CHECK(tg::var(x.to(tg::f32)).item() == doctest::Approx(5.0 / 3).epsilon(1e-6));
  const Tensor m = f64({1, 2, 3, 5}, {2, 2});
  check_values(tg::var(m, {1}), D{0.5, 2});
  check_values(tg::var(m, {0}), D{2, 4.5});
  CHECK(tg::var(m, {0}, true).shape() == tg::Shape{1, 2});
  CHECK(tg::var(m, {}, true).shape() == tg::Shape{1, 1});
  CHECK(tg::var(m).item() == doctest::Approx(35.0 / 12));
}

TEST_CASE("var's gradient is 2 (x - mean) / (count - correction)") {
  Tensor x = f64({1, 2, 3, 4}, {4}).requires_grad_();
  tg::var(x).backward();
  check_values(x.grad(), D{-1, -1.0 / 3, 1.0 / 3, 1});
}

TEST_CASE("logsumexp: stable, and its gradient is the softmax") {
  Tensor x = f64({1, 2, 3}, {3}).requires_grad_();
  const Tensor l = tg::logsumexp(x);
  CHECK(l.item() == doctest::Approx(3.4076059644443806).epsilon(1e-14));
  l.backward();
  check_values(x.grad(), D{0.09003057317038043, 0.24472847105479759, 0.6652409557748217});
  CHECK(tg::logsumexp(f64({1000, 1000}, {2})).item() == doctest::Approx(1000 + std::log(2.0)));
  CHECK(tg::logsumexp(tg::from_vector(std::vector<float>{1000, 1000}, {2})).item() ==
        doctest::Approx(1000 + std::log(2.0)));
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(tg::logsumexp(f64({-inf, -inf}, {2})).item() == -inf);
  CHECK(tg::logsumexp(f64({1, inf}, {2})).item() == inf);
  check_values(tg::logsumexp(f64({1, 2, 3, 0, 0, 0}, {2, 3}), {1}), D{3.4076059644443806, std::log(3.0)});
  CHECK(tg::logsumexp(f64({1, 2, 3, 0, 0, 0}, {2, 3}), {0}, true).shape() == tg::Shape{1, 3});
}

TEST_CASE("reduction errors name the op and what was wrong") {
  CHECK_ERROR(tg::var(f64({1, 2, 3}, {3}), {0}, false, 3),
              "var: correction 3 needs more than 3 elements per reduction, got 3 (shape [3])");
  CHECK_ERROR(tg::std_dev(tg::zeros({4, 1}), {1}), "std_dev: correction 1 needs more than 1 elements per reduction, got 1");
  CHECK_ERROR(tg::var(tg::zeros({4}), {0}, false, -1), "var: correction must be >= 0, got -1");
  CHECK_ERROR(tg::argmax(tg::zeros({2, 0}), 1), "argmax: axis 1 of shape [2, 0] is empty: there is no element to pick");
  CHECK_ERROR(tg::argmin(tg::zeros({0})), "argmin: the tensor of shape [0] is empty");
  CHECK_ERROR(tg::argmax(tg::zeros({2, 3}), 2), "argmax: axis 2 is out of range for a tensor with 2 dims");
  CHECK_ERROR(tg::max(tg::zeros({0, 3}), {0}), "max: reducing over 0 elements (shape [0, 3])");
  CHECK_ERROR(tg::min(tg::zeros({2, 3}), {1, -1}), "min: axis -1 is given twice");
  CHECK_ERROR(tg::max(tg::zeros({2, 3}), {}), "max: empty axis list (call max(x) to reduce over all axes)");
  CHECK_ERROR(tg::logsumexp(tg::zeros({2, 3}), {3}), "logsumexp: axis 3 is out of range for a tensor with 2 dims");
  CHECK_ERROR(tg::max(tg::arange(3)), "max: expected a floating tensor (f32 or f64), got i64 of shape [3]");
}

TEST_CASE("reductions are in the op table") {
  for (const char* name : {"max", "max_axes", "max_keepdim", "min", "min_axes", "var", "var_axes", "var_population",
                           "std_dev", "std_dev_axes", "logsumexp", "logsumexp_axes"}) {
    CAPTURE(name);
    CHECK_NOTHROW(tg::find_op(name));
  }
}
