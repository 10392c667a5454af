// Core without ops: copies, gradient accumulation, the Tensor API nn and optim use, and
// gradcheck of a function made of core calls only. This file needs only tapegrad_core.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "check_error.hpp"
#include "tensor_values.hpp"
#include "tapegrad/autograd.hpp"
#include "tapegrad/gradcheck.hpp"
#include "tapegrad/sum_of_squares.hpp"
#include "tapegrad/tensor.hpp"

using tg::Tensor;

namespace {
Tensor leaf(const std::vector<double>& values, const tg::Shape& shape) {
  return tg::from_vector(values, shape).requires_grad_();
}
}  // namespace

using tg::test::values;

TEST_CASE("clone, contiguous and to are core ops recorded on the tape") {
  const Tensor x = leaf({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor transposed = tg::make_view(x.detach(), {3, 2}, {1, 3}, 0);
  CHECK(values(transposed.contiguous()) == std::vector<double>{1, 4, 2, 5, 3, 6});
  CHECK(std::string(x.clone().grad_fn()->name()) == "clone");
  const Tensor z = x.to(tg::f32);
  CHECK(z.dtype() == tg::f32);
  CHECK(std::string(z.grad_fn()->name()) == "to");
  // The gradient of to(f32) reaches the f64 input as f64.
  const Tensor seed = tg::full({2, 3}, 0.5, tg::f32);
  const std::vector<Tensor> g = tg::grad(std::vector<Tensor>{z}, std::vector<Tensor>{x}, std::vector<Tensor>{seed});
  CHECK(g[0].dtype() == tg::f64);
  CHECK(values(g[0]) == std::vector<double>(6, 0.5));
}

TEST_CASE("two gradients reaching one leaf are summed by the engine") {
  const Tensor x = leaf({1, 2}, {2});
  const std::vector<Tensor> outputs{x.clone(), x.clone()};
  const std::vector<Tensor> seeds{tg::from_vector(std::vector<double>{1, 2}, {2}),
                                  tg::from_vector(std::vector<double>{10, 20}, {2})};
  tg::backward(outputs, seeds);
  CHECK(values(x.grad()) == std::vector<double>{11, 22});
  tg::backward(std::vector<Tensor>{x.clone()}, std::vector<Tensor>{seeds[0]});  // accumulates into .grad()
  CHECK(values(x.grad()) == std::vector<double>{12, 24});
}

TEST_CASE("with create_graph the sum of two gradients is recorded and differentiable") {
  const Tensor x = leaf({1, 2}, {2});
  const Tensor g1 = leaf({1, 2}, {2}), g2 = leaf({3, 4}, {2});
  tg::BackwardOptions options;
  options.create_graph = true;
  const std::vector<Tensor> dx = tg::grad(std::vector<Tensor>{x.clone(), x.clone()}, std::vector<Tensor>{x},
                                          std::vector<Tensor>{g1, g2}, options);
  CHECK(values(dx[0]) == std::vector<double>{4, 6});
  REQUIRE(dx[0].requires_grad());
  CHECK(std::string(dx[0].grad_fn()->name()) == "accumulate_grad");
  // d(dx . w)/dg1 = d(dx . w)/dg2 = w.
  const Tensor w = tg::from_vector(std::vector<double>{5, 7}, {2});
  const std::vector<Tensor> second = tg::grad(dx, std::vector<Tensor>{g1, g2}, std::vector<Tensor>{w});
  CHECK(values(second[0]) == std::vector<double>{5, 7});
  CHECK(values(second[1]) == std::vector<double>{5, 7});
}

TEST_CASE("gradcheck of a core-only function with an input used twice is good") {
  const Tensor x = tg::randn({3, 4}, tg::f64).requires_grad_();
  const auto report = tg::gradcheck_outputs(
      [](const std::vector<Tensor>& xs) { return std::vector<Tensor>{xs[0].clone(), xs[0].contiguous().to(tg::f64).clone()}; },
      {x});
  CHECK(report.verdict == tg::Verdict::good);
}

TEST_CASE("set_data replaces a leaf's values in place of its handles and keeps requires_grad") {
  Tensor p = leaf({1, 2, 3}, {3});
  const Tensor alias = p;  // another handle, as a module and an optimizer each hold one
  p.set_grad(tg::ones({3}, tg::f64));
  p.set_data(tg::from_vector(std::vector<float>{4, 5}, {2}));
  CHECK(alias.dtype() == tg::f32);
  CHECK(alias.shape() == tg::Shape{2});
  CHECK(values(alias) == std::vector<double>{4, 5});
  CHECK(alias.requires_grad());
  CHECK(!alias.grad().defined());  // the f64 [3] gradient no longer matches
  CHECK(alias.id() == p.id());
}

TEST_CASE("set_data keeps a gradient that still matches and refuses non-leaves and integer data") {
  Tensor p = leaf({1, 2}, {2});
  p.set_grad(tg::ones({2}, tg::f64));
  p.set_data(tg::from_vector(std::vector<double>{7, 8}, {2}));
  CHECK(values(p.grad()) == std::vector<double>{1, 1});
  Tensor y = p.clone();
  CHECK_ERROR(y.set_data(tg::zeros({2}, tg::f64)), "set_data: the tensor was made by clone; only a leaf's data");
  CHECK_ERROR(p.set_data(tg::zeros({2}, tg::i64)), "set_data: the tensor requires grad and the new data has dtype i64");
  CHECK_ERROR(p.set_data(Tensor{}), "set_data: the new data is an undefined tensor");
}

TEST_CASE("id is one per tensor, not per storage") {
  const Tensor a = tg::zeros({2, 2});
  const Tensor b = a;
  CHECK(a.id() == b.id());
  CHECK(a.detach().id() != a.id());  // same storage, another tensor
}

TEST_CASE("sum_of_squares adds in f64 over any strides") {
  CHECK(tg::sum_of_squares(tg::from_vector(std::vector<float>{1, 2, 3}, {3})) == 14.0);
  const Tensor m = tg::from_vector(std::vector<double>{1, 2, 3, 4, 5, 6}, {2, 3});
  CHECK(tg::sum_of_squares(tg::make_view(m, {3, 2}, {1, 3}, 0)) == 91.0);
  CHECK(tg::sum_of_squares(tg::zeros({0, 3})) == 0.0);
  CHECK_ERROR(tg::sum_of_squares(tg::arange(3)), "sum_of_squares: expected a floating tensor (f32 or f64), got i64");
}
