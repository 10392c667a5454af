// Comparison operators (masks, as tg::lt ... tg::ne) and arithmetic on i64 tensors.
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.hpp>

#include <cstdint>
#include <type_traits>
#include <vector>

#include "check_error.hpp"

using tg::Tensor;

namespace {

Tensor f64(std::vector<double> v) { return tg::from_vector(v, tg::Shape{static_cast<std::int64_t>(v.size())}); }
Tensor i64(std::vector<std::int64_t> v) { return tg::from_vector(v, tg::Shape{static_cast<std::int64_t>(v.size())}); }
std::vector<double> values(const Tensor& t) { return t.to_vector<double>(); }
std::vector<std::int64_t> ints(const Tensor& t) { return t.to_vector<std::int64_t>(); }

}  // namespace

TEST_CASE("comparison operators between tensors return the masks of lt, le, gt, ge, eq, ne") {
  const Tensor a = f64({1, 2, 3}), b = f64({3, 2, 1});
  static_assert(std::is_same_v<decltype(a == b), Tensor>);
  static_assert(std::is_same_v<decltype(a < 2.0), Tensor>);
  CHECK(values(a < b) == std::vector<double>{1, 0, 0});
  CHECK(values(a <= b) == std::vector<double>{1, 1, 0});
  CHECK(values(a > b) == std::vector<double>{0, 0, 1});
  CHECK(values(a >= b) == std::vector<double>{0, 1, 1});
  CHECK(values(a == b) == std::vector<double>{0, 1, 0});
  CHECK(values(a != b) == std::vector<double>{1, 0, 1});
  CHECK(values(a < b) == values(tg::lt(a, b)));
  CHECK((a < b).dtype() == tg::f64);
  // Broadcasting, as the named functions.
  const Tensor col = tg::from_vector(std::vector<double>{1, 3}, {2, 1});
  CHECK((col < a).shape() == tg::Shape{2, 3});
  CHECK(values(col < a) == std::vector<double>{0, 1, 1, 0, 0, 0});
  // Identity of tensors is id(), not ==.
  CHECK(a.id() != b.id());
  CHECK(a.id() == Tensor(a).id());
}

TEST_CASE("comparison operators with a value on either side") {
  const Tensor a = f64({1, 2, 3});
  CHECK(values(a < 2) == std::vector<double>{1, 0, 0});
  CHECK(values(a <= 2) == std::vector<double>{1, 1, 0});
  CHECK(values(a > 2) == std::vector<double>{0, 0, 1});
  CHECK(values(a >= 2.0) == std::vector<double>{0, 1, 1});
  CHECK(values(a == 2) == std::vector<double>{0, 1, 0});
  CHECK(values(a != 2) == std::vector<double>{1, 0, 1});
  CHECK(values(2 < a) == std::vector<double>{0, 0, 1});  // gt(a, 2)
  CHECK(values(2 <= a) == std::vector<double>{0, 1, 1});
  CHECK(values(2 > a) == std::vector<double>{1, 0, 0});
  CHECK(values(2 >= a) == std::vector<double>{1, 1, 0});
  CHECK(values(2 == a) == std::vector<double>{0, 1, 0});
  CHECK(values(2 != a) == std::vector<double>{1, 0, 1});
  // A mask selects with where, and counts with sum.
  CHECK((a > 1).sum().item() == 2);
  CHECK(values(tg::where(a > 1, a, tg::zeros_like(a))) == std::vector<double>{0, 2, 3});
  CHECK(ints(tg::arange(4) > 1) == std::vector<std::int64_t>{0, 0, 1, 1});
  CHECK_ERROR(a < i64({1, 2, 3}), "dtypes differ");
}

TEST_CASE("i64 tensors add, subtract, multiply, negate and sum exactly") {
  const Tensor p = i64({1, 2, 3}), q = i64({4, 5, 6});
  CHECK((p + q).dtype() == tg::i64);
  CHECK(ints(p + q) == std::vector<std::int64_t>{5, 7, 9});
  CHECK(ints(p - q) == std::vector<std::int64_t>{-3, -3, -3});
  CHECK(ints(p * q) == std::vector<std::int64_t>{4, 10, 18});
  CHECK(ints(p + 2) == std::vector<std::int64_t>{3, 4, 5});
  CHECK(ints(2 + p) == std::vector<std::int64_t>{3, 4, 5});
  CHECK(ints(p - 1) == std::vector<std::int64_t>{0, 1, 2});
  CHECK(ints(10 - p) == std::vector<std::int64_t>{9, 8, 7});
  CHECK(ints(p * 3) == std::vector<std::int64_t>{3, 6, 9});
  CHECK(ints(3 * p) == std::vector<std::int64_t>{3, 6, 9});
  CHECK(ints(-p) == std::vector<std::int64_t>{-1, -2, -3});
  CHECK(ints(p.neg()) == std::vector<std::int64_t>{-1, -2, -3});
  CHECK(ints(tg::add(p, q)) == std::vector<std::int64_t>{5, 7, 9});
  CHECK(ints(tg::maximum(p, i64({3, 1, 5}))) == std::vector<std::int64_t>{3, 2, 5});
  CHECK(ints(tg::minimum(p, i64({3, 1, 5}))) == std::vector<std::int64_t>{1, 1, 3});
  // Broadcasting [2, 1] + [3].
  const Tensor col = tg::from_vector(std::vector<std::int64_t>{10, 20}, {2, 1});
  CHECK(ints(col + p) == std::vector<std::int64_t>{11, 12, 13, 21, 22, 23});
  // sum: all, over a dim; an i64 result.
  CHECK(p.sum().dtype() == tg::i64);
  CHECK(p.sum().item<std::int64_t>() == 6);
  CHECK(ints((col + p).sum(1)) == std::vector<std::int64_t>{36, 66});
  // Exact beyond 2^53, where a double would round: 2^53 + 1 stays odd.
  const std::int64_t big = (std::int64_t{1} << 53) + 1;
  const Tensor b = i64({big});
  CHECK((b + i64({0})).data<std::int64_t>()[0] == big);
  CHECK((b * 1).data<std::int64_t>()[0] == big);
  CHECK((b + b).data<std::int64_t>()[0] == 2 * big);
  CHECK(tg::sum(i64({big, 1})).data<std::int64_t>()[0] == big + 1);
}

TEST_CASE("i64 tensors reject what is not defined on integers with a clear error") {
  const Tensor p = i64({1, 2, 3}), q = i64({4, 5, 6});
  CHECK_ERROR(p / q, "div: expected a floating tensor (f32 or f64), got i64 of shape [3]");
  CHECK_ERROR(p / 2.0, "div: expected a floating tensor (f32 or f64), got i64 of shape [3]");
  CHECK_ERROR(tg::pow(p, q), "pow: expected a floating tensor (f32 or f64), got i64");
  CHECK_ERROR(p.sqrt(), "sqrt: expected a floating tensor (f32 or f64), got i64");
  CHECK_ERROR(p.exp(), "exp: expected a floating tensor (f32 or f64), got i64");
  CHECK_ERROR(p.mean(), "mean: expected a floating tensor (f32 or f64), got i64");
  CHECK_ERROR(p.max(), "max: expected a floating tensor (f32 or f64), got i64");
  CHECK_ERROR(tg::min(p, 0), "min: expected a floating tensor (f32 or f64), got i64");
  CHECK_ERROR(p + 0.5, "add: an i64 tensor of shape [3] with the non-integral value 0.5 (convert it with .to(f64) first)");
  CHECK_ERROR(p * 1.5, "mul: an i64 tensor of shape [3] with the non-integral value 1.5");
  CHECK_ERROR(0.5 - p, "sub: an i64 tensor of shape [3] with the non-integral value 0.5");
  CHECK_ERROR(p + f64({1, 2, 3}), "add: dtypes differ: i64 [3] and f64 [3]");
  CHECK_ERROR(f64({1, 2, 3}) * p, "mul: dtypes differ: f64 [3] and i64 [3]");
  Tensor r = i64({1});
  CHECK_ERROR(r.requires_grad_(), "requires_grad: a tensor of dtype i64 cannot require gradients");
  // The float path is unchanged: f64 + 0.5 is affine.
  CHECK(values(f64({1, 2}) + 0.5) == std::vector<double>{1.5, 2.5});
}
