// Max pooling with 2x2 windows and stride 2 runs on loops of its own
// (ops/kernels/max_pool_2x2.hpp). Its values and gradients must equal those of the
// general index path (max_pool2d_with_indices): the first maximum in window order takes
// the gradient, a NaN wins its window, and rows or columns an odd size leaves out of
// every window get a zero gradient.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <tapegrad/ops/pooling.hpp>
#include <tapegrad/tapegrad.hpp>

using tg::Tensor;

namespace {

// Values with many ties (a few distinct levels), infinities and NaNs mixed in.
Tensor hostile_input(tg::Shape shape, tg::DType dtype, std::uint64_t seed) {
  tg::Generator gen(seed);
  std::vector<double> v = tg::rand(shape, tg::f64, &gen).to_vector<double>();
  for (double& e : v) e = std::floor(e * 4);
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  for (std::size_t i = 0; i < v.size(); i += 37) v[i] = nan;
  for (std::size_t i = 5; i < v.size(); i += 53) v[i] = inf;
  for (std::size_t i = 11; i < v.size(); i += 41) v[i] = -inf;
  return tg::from_vector(v, shape).to(dtype);
}

void check_same(const Tensor& got, const Tensor& expected) {
  REQUIRE(got.shape() == expected.shape());
  const auto a = got.to_vector<double>(), b = expected.to_vector<double>();
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])))) ++mismatches;
  CHECK(mismatches == 0);
}

}  // namespace

TEST_CASE("max_pool2d 2x2 stride 2 equals the index path: values, gradients, ties, NaN, odd sizes") {
  const tg::Shape shapes[] = {{1, 1, 4, 4}, {2, 3, 5, 7}, {3, 2, 3, 9}, {64, 32, 28, 28}, {8, 16, 15, 14}};
  for (const tg::DType dtype : {tg::f32, tg::f64}) {
    for (const tg::Shape& shape : shapes) {
      CAPTURE(shape.str());
      CAPTURE(tg::dtype_name(dtype));
      const Tensor x = hostile_input(shape, dtype, static_cast<std::uint64_t>(shape.numel()));
      Tensor fast_in = x.detach().requires_grad_(), index_in = x.detach().requires_grad_();
      const Tensor fast = tg::max_pool2d(fast_in, 2);
      // Dilation 1 given explicitly still pools 2x2; the index path is the reference.
      const Tensor reference = tg::max_pool2d_with_indices(index_in, 2, 2).values;
      check_same(fast, reference);
      const Tensor g = tg::randn(fast.shape(), dtype);
      fast.backward(g);
      reference.backward(g);
      check_same(fast_in.grad(), index_in.grad());
    }
  }
}

TEST_CASE("max_pool2d 2x2: the gradient goes to the first maximum of a tied window, and a NaN wins") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // Windows: all equal (the first wins); a NaN at top right; the max at bottom right;
  // two NaNs (the first wins).
  const std::vector<double> values{2, 2, 1, nan, 0, 0, nan, 2,  //
                                   2, 2, 3, 5, 0, 1, 9, nan};
  Tensor x = tg::from_vector(values, {1, 1, 2, 8}).requires_grad_();
  const Tensor y = tg::max_pool2d(x, 2);
  const auto maxima = y.to_vector<double>();
  CHECK(maxima[0] == 2);
  CHECK(std::isnan(maxima[1]));
  CHECK(maxima[2] == 1);
  CHECK(std::isnan(maxima[3]));
  y.backward(tg::from_vector(std::vector<double>{10, 20, 30, 40}, {1, 1, 1, 4}));
  const auto grad = x.grad().to_vector<double>();
  const std::vector<double> expected{10, 0, 0, 20, 0, 0, 40, 0,  //
                                     0, 0, 0, 0, 0, 30, 0, 0};
  for (std::size_t i = 0; i < grad.size(); ++i) {
    CAPTURE(i);
    CHECK(grad[i] == expected[i]);
  }
}

TEST_CASE("max_pool2d 2x2 of a strided view equals that of its contiguous copy") {
  const Tensor x = tg::randn({4, 6, 10, 12});
  const Tensor view = tg::transpose(x, 2, 3);  // [4, 6, 12, 10], not contiguous
  check_same(tg::max_pool2d(view, 2), tg::max_pool2d(view.contiguous(), 2));
}
