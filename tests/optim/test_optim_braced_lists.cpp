// Braced lists where optim takes a span of tensors (these did not compile with the
// std::span overloads alone).
#include <doctest/doctest.h>

#include <tapegrad/optim/first_order.hpp>
#include <tapegrad/optim/newton.hpp>
#include <tapegrad/tapegrad.hpp>

using tg::Tensor;

TEST_CASE("gradient_and_hessian takes a braced list of parameters") {
  // loss = y0^3 + y0 y1: gradient (3 y0^2 + y1, y0), Hessian [[6 y0, 1], [1, 0]].
  Tensor y = tg::from_vector(std::vector<double>{1, 2}, {2}).requires_grad_();
  const Tensor y0 = tg::slice(y, 0, 0, 1), y1 = tg::slice(y, 0, 1, 2);
  const Tensor loss = tg::sum(y0 * y0 * y0 + y0 * y1);
  const tg::optim::GradientAndHessian gh = tg::optim::gradient_and_hessian(loss, {y});
  CHECK(gh.gradient == std::vector<double>{5, 1});
  CHECK(gh.hessian == std::vector<double>{6, 1, 1, 0});
}

TEST_CASE("global_norm takes a braced list") {
  const Tensor a = tg::full({1}, 3.0), b = tg::full({1}, 4.0, tg::f64);
  CHECK(tg::optim::global_norm({a, b}) == doctest::Approx(5.0));
}
