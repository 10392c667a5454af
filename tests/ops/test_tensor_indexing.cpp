// x[i], select, slice with Python's negative and clamped bounds, flatten(x, start, end):
// views of the input whose gradients flow back (gradchecked).
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.hpp>

#include <cstdint>
#include <limits>
#include <vector>

#include "check_error.hpp"

using tg::Shape;
using tg::Tensor;

namespace {

// [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]
Tensor grid() { return tg::arange(0.0, 12.0, 1.0, tg::f64).reshape({3, 4}); }
std::vector<double> values(const Tensor& t) { return t.to_vector<double>(); }
constexpr std::int64_t kEnd = std::numeric_limits<std::int64_t>::max();

}  // namespace

TEST_CASE("x[i] is row i as a view, a negative i counts from the end") {
  Tensor x = grid();
  CHECK(x[0].shape() == Shape{4});
  CHECK(values(x[0]) == std::vector<double>{0, 1, 2, 3});
  CHECK(values(x[-1]) == std::vector<double>{8, 9, 10, 11});
  CHECK(values(x[-3]) == values(x[0]));
  CHECK(x[1][2].dim() == 0);
  CHECK(x[1][2].item() == 6);
  CHECK(x[1][-1].item() == 7);
  CHECK(values(x.select(1, -1)) == std::vector<double>{3, 7, 11});
  CHECK(values(tg::select(x, 0, 2)) == std::vector<double>{8, 9, 10, 11});
  // A view: writing through it writes x.
  x[1].fill_(0.0);
  CHECK(values(x.sum(1)) == std::vector<double>{6, 0, 38});
}

TEST_CASE("x[i] and select out of range name the index, the dim and the size") {
  const Tensor x = grid();
  CHECK_ERROR(x[3], "select: index 3 is out of range for dim 0 of size 3 (shape [3, 4])");
  CHECK_ERROR(x[-4], "select: index -4 is out of range for dim 0 of size 3 (shape [3, 4])");
  CHECK_ERROR(x.select(1, 4), "select: index 4 is out of range for dim 1 of size 4 (shape [3, 4])");
  CHECK_ERROR(x.select(2, 0), "select: axis 2 is out of range for a tensor with 2 dims");
  CHECK_ERROR(tg::scalar_tensor(1.0)[0], "select: cannot index a 0-d tensor (index 0)");
  CHECK_ERROR(tg::zeros({0, 2})[0], "select: index 0 is out of range for dim 0 of size 0");
}

TEST_CASE("slice follows Python: negative bounds count from the end, bounds are clamped") {
  const Tensor x = grid();
  CHECK(values(tg::slice(x, 1, -3, kEnd)) == std::vector<double>{1, 2, 3, 5, 6, 7, 9, 10, 11});  // x[:, -3:]
  CHECK(values(tg::slice(x, 1, 1, -1)) == std::vector<double>{1, 2, 5, 6, 9, 10});              // x[:, 1:-1]
  CHECK(values(tg::slice(x, 1, -100, 2)) == std::vector<double>{0, 1, 4, 5, 8, 9});             // x[:, -100:2]
  CHECK(values(tg::slice(x, 1, -4, kEnd, 2)) == std::vector<double>{0, 2, 4, 6, 8, 10});        // x[:, -4::2]
  CHECK(values(x.slice(0, -2, 3)) == std::vector<double>{4, 5, 6, 7, 8, 9, 10, 11});            // x[-2:3]
  CHECK(x.slice(1, 3, 1).shape() == Shape{3, 0});     // stop before start: empty
  CHECK(x.slice(1, 10, 20).shape() == Shape{3, 0});   // start past the end: empty
  CHECK(x.slice(1, -1, -2).shape() == Shape{3, 0});
  CHECK(x.slice(0, 0, kEnd).storage() == x.storage());
  CHECK_ERROR(x.slice(1, 0, 2, 0), "slice: step must be positive, got 0");
  CHECK_ERROR(x.slice(2, 0, 1), "slice: axis 2 is out of range for a tensor with 2 dims");
}

TEST_CASE("flatten(x, start_dim, end_dim) merges a range of dims, negative dims count from the end") {
  const Tensor x = tg::zeros({2, 3, 4, 5});
  CHECK(tg::flatten(x, 1).shape() == Shape{2, 60});
  CHECK(tg::flatten(x, 1, 2).shape() == Shape{2, 12, 5});
  CHECK(tg::flatten(x, -2).shape() == Shape{2, 3, 20});
  CHECK(tg::flatten(x, 0, -1).shape() == Shape{120});
  CHECK(tg::flatten(x, 2, 2).shape() == Shape{2, 3, 4, 5});
  CHECK(x.flatten(1).shape() == Shape{2, 60});
  CHECK(x.flatten().shape() == Shape{120});
  CHECK(tg::scalar_tensor(4.0).flatten().shape() == Shape{1});
  CHECK(tg::flatten(tg::scalar_tensor(4.0), 0).shape() == Shape{1});
  const Tensor g = grid();
  CHECK(values(g.t().flatten(0)) == std::vector<double>{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11});  // copies when strided
  CHECK_ERROR(tg::flatten(x, 2, 1), "flatten: start_dim 2 comes after end_dim 1 (shape [2, 3, 4, 5])");
  CHECK_ERROR(tg::flatten(x, 4), "flatten: axis 4 is out of range for a tensor with 4 dims");
  CHECK_ERROR(x.flatten(0, -5), "flatten: axis -5 is out of range for a tensor with 4 dims");
}

TEST_CASE("gradients flow through x[i], select, slice and flatten") {
  Tensor x = grid().requires_grad_();
  x[-1].sum().backward();
  CHECK(values(x.grad()) == std::vector<double>{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1});
  x.set_grad(Tensor{});
  (x.slice(1, -3, -1).sum() + x.select(1, 0).sum() * 2.0).backward();
  CHECK(values(x.grad()) == std::vector<double>{2, 1, 1, 0, 2, 1, 1, 0, 2, 1, 1, 0});
  const auto report = tg::gradcheck(
      [](const std::vector<Tensor>& in) {
        const Tensor& a = in[0];
        return (a[1] * a[-1]).sum() + a.select(1, -2).square().sum() + tg::slice(a, 1, -3, kEnd, 2).exp().sum() +
               tg::flatten(a.t(), 0).pow(3.0).sum();
      },
      {tg::from_vector(std::vector<double>{0.3, -0.7, 1.1, 0.2, -0.4, 0.9, 0.5, -1.2, 0.1, 0.8, -0.3, 0.6}, {3, 4})});
  CHECK(report.passed());
  CHECK(report.inputs.at(0).checked == 12);
}
