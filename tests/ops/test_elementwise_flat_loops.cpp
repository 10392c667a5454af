// The flat loops of the elementwise kernels (ops/kernels/elementwise_loops.hpp):
// contiguous operands, a one-element operand on either side and operands that differ
// from the output only by size-1 dims run as one flat loop; everything else walks the
// strides. Each case is checked element by element against values computed by hand,
// and against the strided walk (the same operands made non-contiguous).
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <vector>

#include <tapegrad/ops/elementwise.hpp>
#include <tapegrad/tapegrad.hpp>

#include "tensor_values.hpp"

using tg::Tensor;
using tg::test::values;

namespace {

// A copy of t whose elements sit in a transposed buffer: same shape and values, not
// contiguous (for a 2-D t with both dims > 1).
Tensor strided_copy(const Tensor& t) { return t.transpose(0, 1).contiguous().transpose(0, 1); }

struct BinaryCase {
  const char* name;
  std::function<Tensor(const Tensor&, const Tensor&)> op;
  std::function<double(double, double)> f;
};

const std::vector<BinaryCase>& binary_cases() {
  static const std::vector<BinaryCase> cases = {
      {"add", [](const Tensor& a, const Tensor& b) { return a + b; }, [](double x, double y) { return x + y; }},
      {"sub", [](const Tensor& a, const Tensor& b) { return a - b; }, [](double x, double y) { return x - y; }},
      {"mul", [](const Tensor& a, const Tensor& b) { return a * b; }, [](double x, double y) { return x * y; }},
      {"div", [](const Tensor& a, const Tensor& b) { return a / b; }, [](double x, double y) { return x / y; }},
      {"pow", [](const Tensor& a, const Tensor& b) { return tg::pow(a, b); },
       [](double x, double y) { return std::pow(x, y); }},
      {"maximum", [](const Tensor& a, const Tensor& b) { return tg::maximum(a, b); },
       [](double x, double y) { return x > y ? x : y; }},
  };
  return cases;
}

// Expected out[i, j] for a of shape [ra, ca] and b of shape [rb, cb] broadcast to [r, c].
std::vector<double> expected(const BinaryCase& c, const std::vector<double>& a, std::int64_t ra, std::int64_t ca,
                             const std::vector<double>& b, std::int64_t rb, std::int64_t cb) {
  const std::int64_t r = std::max(ra, rb), cols = std::max(ca, cb);
  std::vector<double> out;
  for (std::int64_t i = 0; i < r; ++i)
    for (std::int64_t j = 0; j < cols; ++j)
      out.push_back(c.f(a[static_cast<std::size_t>((ra == 1 ? 0 : i) * ca + (ca == 1 ? 0 : j))],
                        b[static_cast<std::size_t>((rb == 1 ? 0 : i) * cb + (cb == 1 ? 0 : j))]));
  return out;
}

std::vector<double> counting(std::int64_t n, double start, double step) {
  std::vector<double> v;
  for (std::int64_t i = 0; i < n; ++i) v.push_back(start + step * static_cast<double>(i));
  return v;
}

}  // namespace

TEST_CASE("binary ops on contiguous, one-element and size-1-dim operands match the element formula") {
  const std::vector<double> a = counting(12, 0.5, 0.25), b = counting(12, 1.5, 0.5);
  for (const BinaryCase& c : binary_cases()) {
    CAPTURE(c.name);
    for (tg::DType dtype : {tg::f64, tg::f32}) {
      const double tol = dtype == tg::f64 ? 1e-12 : 1e-6;
      const Tensor ta = tg::from_vector(a, {3, 4}).to(dtype), tb = tg::from_vector(b, {3, 4}).to(dtype);
      const Tensor one_a = tg::from_vector(std::vector<double>{0.75}, {1}).to(dtype);
      const Tensor one_b = tg::full({}, 2.5, dtype);
      // Same shape, both contiguous.
      tg::test::check_values(c.op(ta, tb), expected(c, a, 3, 4, b, 3, 4), tol);
      // One element on either side ([1] and [] broadcast to [3, 4]).
      tg::test::check_values(c.op(ta, one_b), expected(c, a, 3, 4, {2.5}, 1, 1), tol);
      tg::test::check_values(c.op(one_a, tb), expected(c, {0.75}, 1, 1, b, 3, 4), tol);
      // Shapes that differ by a leading size-1 dim: [12] with [1, 12] gives [1, 12].
      const Tensor flat_a = tg::from_vector(a, {12}).to(dtype), row_b = tg::from_vector(b, {1, 12}).to(dtype);
      const Tensor out = c.op(flat_a, row_b);
      CHECK(out.shape() == tg::Shape{1, 12});
      tg::test::check_values(out, expected(c, a, 1, 12, b, 1, 12), tol);
      // Both one element: the result has the broadcast shape [1, 1].
      const Tensor tiny = c.op(one_a, one_b.reshape({1, 1}));
      CHECK(tiny.shape() == tg::Shape{1, 1});
      tg::test::check_values(tiny, {c.f(0.75, 2.5)}, tol);
    }
  }
}

TEST_CASE("binary ops on non-contiguous and row or column broadcast operands take the strided walk, same values") {
  const std::vector<double> a = counting(12, 0.5, 0.25), b = counting(12, 1.5, 0.5);
  const Tensor ta = tg::from_vector(a, {3, 4}), tb = tg::from_vector(b, {3, 4});
  const Tensor col = tg::from_vector(std::vector<double>{2, 3, 4}, {3, 1});
  const Tensor row = tg::from_vector(std::vector<double>{1, 2, 3, 4}, {4});
  for (const BinaryCase& c : binary_cases()) {
    CAPTURE(c.name);
    CHECK(values(c.op(strided_copy(ta), tb)) == values(c.op(ta, tb)));
    CHECK(values(c.op(ta, strided_copy(tb))) == values(c.op(ta, tb)));
    tg::test::check_values(c.op(ta, col), expected(c, a, 3, 4, {2, 3, 4}, 3, 1));
    tg::test::check_values(c.op(row, tb), expected(c, {1, 2, 3, 4}, 1, 4, b, 3, 4));
  }
}

TEST_CASE("binary ops with an empty operand give an empty result") {
  const Tensor one = tg::ones({1});
  const Tensor none = tg::zeros({0});
  CHECK((one + none).numel() == 0);
  CHECK((none * one).numel() == 0);
  CHECK((none - none).shape() == tg::Shape{0});
}

TEST_CASE("unary ops on contiguous and non-contiguous inputs give the same values") {
  const std::vector<double> v = counting(12, 0.1, 0.3);
  const Tensor x = tg::from_vector(v, {3, 4});
  const Tensor strided = strided_copy(x);
  REQUIRE(!strided.is_contiguous());
  for (tg::DType dtype : {tg::f64, tg::f32}) {
    const Tensor xd = x.to(dtype), sd = strided.to(dtype);
    CHECK(values(xd * 1.5 + 0.25) == values(sd * 1.5 + 0.25));
    CHECK(values(tg::exp(xd)) == values(tg::exp(sd)));
    std::vector<double> want;
    for (double e : v) want.push_back(e * 1.5 + 0.25);
    tg::test::check_values(xd * 1.5 + 0.25, want, dtype == tg::f64 ? 1e-12 : 1e-6);
  }
}

TEST_CASE("a chain of scalar ops on a one-element tensor has the chain rule's gradient") {
  // d/dx of ((x * 1.0001) + 0.0001) applied 500 times is 1.0001^500.
  Tensor x = tg::ones({1}, tg::f64);
  x.requires_grad_();
  Tensor y = x;
  for (int i = 0; i < 500; ++i) y = y * 1.0001 + 0.0001;
  y.backward();
  CHECK(x.grad().item() == doctest::Approx(std::pow(1.0001, 500)).epsilon(1e-12));
  double forward = 1;
  for (int i = 0; i < 500; ++i) forward = forward * 1.0001 + 0.0001;
  CHECK(y.item() == doctest::Approx(forward).epsilon(1e-12));
}
