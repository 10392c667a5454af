// gradcheck and gradgradcheck of functions that call tg::grad with create_graph
// themselves: a gradient penalty and a Hessian-vector product.
#include <doctest/doctest.h>

#include <vector>

#include <tapegrad/tapegrad.hpp>

using tg::Tensor;

namespace {

// L(x, w) = sum(tanh(x w)): a smooth scalar of two inputs.
Tensor smooth_loss(const Tensor& x, const Tensor& w) { return tg::sum(tg::tanh(tg::matmul(x, w))); }

// The gradient penalty ||dL/dx||^2 (as in WGAN-GP), a function of x and w.
Tensor gradient_penalty(const std::vector<Tensor>& in) {
  const std::vector<Tensor> wrt{in[0]};
  const Tensor g = tg::grad(smooth_loss(in[0], in[1]), wrt, /*create_graph=*/true)[0];
  return tg::sum(tg::square(g));
}

// H v for L(x) = sum(x^4) / 4 + sum(tanh(x)): d/dx <dL/dx, v>.
Tensor hessian_vector_product(const std::vector<Tensor>& in) {
  const Tensor& x = in[0];
  const Tensor& v = in[1];
  const std::vector<Tensor> wrt{x};
  const Tensor loss = tg::sum(tg::square(tg::square(x))) * 0.25 + tg::sum(tg::tanh(x));
  const Tensor g = tg::grad(loss, wrt, /*create_graph=*/true)[0];
  return tg::grad(tg::sum(g * v), wrt, /*create_graph=*/true)[0];
}

}  // namespace

TEST_CASE("gradcheck of a gradient penalty that calls tg::grad with create_graph") {
  tg::Generator gen(3);
  const Tensor x = tg::randn({3, 4}, tg::f64, &gen), w = tg::randn({4, 2}, tg::f64, &gen);
  const tg::GradcheckReport report = tg::gradcheck(gradient_penalty, {x, w});
  INFO(report.table());
  CHECK(report.verdict == tg::Verdict::good);
  REQUIRE(report.inputs.size() == 2);
  CHECK(report.inputs[0].checked == 12);
  CHECK(report.inputs[1].checked == 8);
  // f's own tg::grad leaves the caller's tensors alone.
  CHECK_FALSE(x.requires_grad());
}

TEST_CASE("gradcheck of a Hessian-vector product checks third derivatives, v is used") {
  tg::Generator gen(4);
  const Tensor x = tg::randn({5}, tg::f64, &gen), v = tg::randn({5}, tg::f64, &gen);
  const tg::GradcheckReport report = tg::gradcheck(hessian_vector_product, {x, v});
  INFO(report.table());
  CHECK(report.verdict == tg::Verdict::good);
  CHECK_FALSE(report.inputs[1].unused);
  // H v with H = diag(3 x^2 + tanh''(x)), by hand at one point.
  const Tensor hv = [&] {
    tg::GradModeGuard on(true);
    Tensor xr = x.detach().clone().requires_grad_();
    return hessian_vector_product({xr, v});
  }();
  const std::vector<double> xs = x.to_vector<double>(), vs = v.to_vector<double>(), got = hv.to_vector<double>();
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const double t = std::tanh(xs[i]);
    CHECK(got[i] == doctest::Approx((3 * xs[i] * xs[i] - 2 * t * (1 - t * t)) * vs[i]));
  }
}

TEST_CASE("gradgradcheck of a function that calls tg::grad") {
  tg::Generator gen(5);
  const Tensor x = tg::randn({2, 3}, tg::f64, &gen), w = tg::randn({3, 2}, tg::f64, &gen);
  const tg::GradcheckReport report = tg::gradgradcheck(gradient_penalty, {x, w});
  INFO(report.table());
  CHECK(report.verdict == tg::Verdict::good);
  CHECK(report.inputs.size() == 2);
}

TEST_CASE("gradcheck through tg::grad still finds a wrong backward inside the penalty") {
  // The penalty of a wrong op: y + y.detach() doubles the value but not the gradient.
  const auto wrong_penalty = [](const std::vector<Tensor>& in) {
    const std::vector<Tensor> wrt{in[0]};
    const Tensor y = tg::tanh(in[0]);
    const Tensor g = tg::grad(tg::sum(y + y.detach()) * tg::sum(in[0]), wrt, /*create_graph=*/true)[0];
    return tg::sum(tg::square(g));
  };
  tg::Generator gen(6);
  const tg::GradcheckReport report = tg::gradcheck(wrong_penalty, {tg::randn({4}, tg::f64, &gen)});
  CHECK(report.verdict == tg::Verdict::wrong);
}
