// Second-order optimizers: L-BFGS (three steps by hand, Rosenbrock, the line search) and
// Newton (a quadratic in one step, damping, indefinite and singular Hessians).
#include <doctest/doctest.h>

#include <cmath>
#include <tapegrad/optim/optim.hpp>
#include <tapegrad/tapegrad.hpp>

#include "tensor_values.hpp"

using tg::Tensor;
namespace optim = tg::optim;

namespace {

using tg::test::check_close;
using tg::test::param;
using tg::test::vec;

Tensor bowl(const Tensor& x) { return tg::sum(x * x * vec({0.05, 1.0})); }  // dx = (x/10, 2y)

// Rosenbrock: (1 - a)^2 + 100 (b - a^2)^2, minimum 0 at (1, 1).
Tensor rosenbrock(const Tensor& a, const Tensor& b) {
  const Tensor r1 = 1.0 - a;
  const Tensor r2 = b - a * a;
  return tg::sum(r1 * r1 + r2 * r2 * 100.0);
}

}  // namespace

TEST_CASE("optim lbfgs: three fixed-length steps by hand (two-loop recursion, no line search)") {
  // Bowl from (1, -2), lr = 1, one iteration per step.
  // t=1: g0 = (0.1, -4), d = -g0, first step length min(1, 1/|g0|_1) = 1/4.1
  //      s1 = d/4.1 = (-0.0243902439, 0.975609756)   x1 = (0.975609756097561, -1.024390243902439)
  // t=2: g1 = (0.0975609756, -2.04878049), y1 = g1 - g0 = (-0.00243902439, 1.95121951)
  //      y1.s1 = 1.90368828, H0 = y1.s1 / y1.y1 = 0.500014844
  //      two-loop: q = -g1; a1 = rho1 s1.q; q -= a1 y1; r = H0 q; b1 = rho1 y1.r; r += (a1 - b1) s1
  //      d = (-0.0731675740, 1.02551830)               x2 = (0.9024421854467255, 0.0011280527318084932)
  // t=3: y2.s2 = 2.10391090, H0 = 0.500120895, the same recursion over both pairs
  //      d = (-0.0453935516, 0.00192933623)             x3 = (0.8570486338776353, 0.003057388964987374)
  Tensor x = param({1, -2});
  optim::Lbfgs opt({x}, {{"lr", 1.0}, {"max_iter", 1}, {"line_search", false}});
  const std::vector<std::vector<double>> expected = {{0.975609756097561, -1.024390243902439},
                                                     {0.9024421854467255, 0.0011280527318084932},
                                                     {0.8570486338776353, 0.003057388964987374}};
  for (const auto& x_t : expected) {
    opt.step([&] { return bowl(x); });
    check_close(x.to_vector<double>(), x_t, 1e-12);
  }
}

TEST_CASE("optim lbfgs reaches the Rosenbrock minimum (1, 1) to 1e-6 from (-1.5, 2) in under 100 iterations") {
  Tensor a = param({-1.5}), b = param({2});
  // One step of up to 99 iterations. The stopping tests are tightened: with the default
  // tolerance_change (1e-9 on the loss) L-BFGS would stop once the loss changes that
  // little, about 3e-5 from the minimum (after 40 iterations), before 1e-6 is reached.
  auto created = optim::create("lbfgs", {a, b},
                               {{"max_iter", 99}, {"max_eval", 1000}, {"tolerance_grad", 1e-10}, {"tolerance_change", 0.0}});
  auto& opt = dynamic_cast<optim::Lbfgs&>(*created);
  const Tensor first_loss = opt.step([&] { return rosenbrock(a, b); });
  CHECK(first_loss.item() == doctest::Approx(12.5));  // (2.5)^2 + 100 (2 - 2.25)^2
  MESSAGE("L-BFGS on Rosenbrock: " << opt.iterations() << " iterations, " << opt.evaluations() << " evaluations");
  CHECK(opt.iterations() < 100);
  CHECK(std::fabs(a.item() - 1) <= 1e-6);
  CHECK(std::fabs(b.item() - 1) <= 1e-6);
}

TEST_CASE("optim lbfgs and newton need step(closure) and one group") {
  Tensor x = param({1});
  auto lbfgs = optim::create("lbfgs", {x});
  CHECK_THROWS_WITH_AS(lbfgs->step(), doctest::Contains("lbfgs: step() needs a closure"), tg::Error);
  auto newton = optim::create("newton", {x});
  CHECK_THROWS_WITH_AS(newton->step(), doctest::Contains("newton: step() needs a closure"), tg::Error);
  std::vector<optim::ParamGroup> two(2);
  two[0].params = {x};
  two[1].params = {param({2})};
  CHECK_THROWS_WITH_AS(optim::create("lbfgs", two), doctest::Contains("lbfgs: takes at most 1 parameter group"),
                       tg::Error);
}

TEST_CASE("optim strong-Wolfe line search: zoom finds the exact minimizer of a quadratic") {
  // phi(t) = f(0 + t*1) with f(x) = (x - 3)^2: f(0) = 9, f'(0) = -6. The first trial t = 10
  // overshoots (f = 49 > 9), so [0, 10] brackets; cubic interpolation of a quadratic is
  // exact: t = 3, where f = 0 and f' = 0 satisfy both Wolfe conditions.
  const std::vector<double> d = {1}, g0 = {-6};
  const optim::DirectionalObjective objective = [](double t, std::vector<double>& g) {
    g = {2 * (t - 3)};
    return (t - 3) * (t - 3);
  };
  const optim::LineSearchResult r = optim::strong_wolfe(objective, 10, d, 9, g0, -6);
  CHECK(r.t == doctest::Approx(3).epsilon(1e-12));
  CHECK(r.f <= 9 + 1e-4 * r.t * -6);                // sufficient decrease
  CHECK(std::fabs(r.grad[0]) <= 0.9 * 6);           // curvature
  CHECK(r.evaluations == 2);
  // Cubic interpolation through (0, 9, -6) and (10, 49, 14): the parabola's vertex.
  CHECK(optim::cubic_interpolate(0, 9, -6, 10, 49, 14, 0, 10) == doctest::Approx(3));
}

TEST_CASE("optim newton solves a quadratic in one step: x = A^-1 b") {
  // f(x) = 1/2 x^T A x - b^T x with A = [[4,1,0],[1,3,1],[0,1,2]], b = (1,2,3):
  // the minimizer solves A x = b: x = (4, 2, 26)/18 (check: A x = (18, 36, 54)/18).
  const Tensor A = tg::from_vector(std::vector<double>{4, 1, 0, 1, 3, 1, 0, 1, 2}, tg::Shape{3, 3});
  const Tensor b = vec({1, 2, 3});
  Tensor x = param({5, -7, 0.5});
  auto created = optim::create("newton", {x});
  auto& opt = dynamic_cast<optim::Newton&>(*created);
  const auto quadratic = [&] { return tg::sum(x * tg::matmul(A, x)) * 0.5 - tg::sum(b * x); };
  opt.step(quadratic);
  check_close(x.to_vector<double>(), {4.0 / 18, 2.0 / 18, 26.0 / 18}, 1e-12);
  CHECK(opt.last_solver() == optim::LinearSolver::cholesky);

  // The Hessian it used is A, from the tape's second derivatives.
  const optim::GradientAndHessian gh = optim::gradient_and_hessian(quadratic(), std::vector<Tensor>{x});
  check_close(gh.hessian, {4, 1, 0, 1, 3, 1, 0, 1, 2}, 1e-12);
  check_close(gh.gradient, {0, 0, 0}, 1e-12);
}

TEST_CASE("optim newton: Hessian across several parameters, damping, indefinite and singular cases") {
  // f = x^2 + x*y + 2 y^2 over two tensors: H = [[2, 1], [1, 4]], one step to (0, 0).
  Tensor x = param({3}), y = param({-1});
  auto newton = optim::create("newton", {x, y});
  newton->step([&] { return tg::sum(x * x + x * y + y * y * 2.0); });
  CHECK(std::fabs(x.item()) <= 1e-12);
  CHECK(std::fabs(y.item()) <= 1e-12);

  // f = x^2 - y^2 (a saddle): H is indefinite, Cholesky fails, elimination takes the
  // plain Newton step, to the saddle point.
  Tensor p = param({2, 3});
  auto saddle = optim::create("newton", {p});
  saddle->step([&] { return tg::sum(p * p * vec({1, -1})); });
  CHECK(dynamic_cast<optim::Newton&>(*saddle).last_solver() == optim::LinearSolver::gaussian_elimination);
  check_close(p.to_vector<double>(), {0, 0}, 1e-12);

  // f = x^2 + y: H = diag(2, 0) is singular: an error that suggests damping...
  Tensor q = param({2, 3});
  const auto linear_in_y = [&] { return tg::sum(q * q * vec({1, 0}) + q * vec({0, 1})); };
  auto singular = optim::create("newton", {q});
  CHECK_THROWS_WITH_AS(singular->step(linear_in_y), doctest::Contains("singular; set the option damping > 0"),
                       tg::Error);
  // ...and with damping 1: d = (H + I)^-1 g = (2*2/3, 1/1).
  auto damped = optim::create("newton", {q}, {{"damping", 1.0}});
  damped->step(linear_in_y);
  check_close(q.to_vector<double>(), {2 - 4.0 / 3, 3 - 1}, 1e-12);
}

TEST_CASE("optim newton: the closure must leave the graph for newton to differentiate") {
  Tensor x = param({1, 2});
  auto newton = optim::create("newton", {x});
  CHECK_THROWS_WITH_AS(newton->step([&] {
    Tensor loss = tg::sum(x * x);
    loss.backward();
    return loss;
  }),
                       doctest::Contains("graph was already freed"), tg::Error);
  auto small = optim::create("newton", {x}, {{"max_parameters", 1}});
  CHECK_THROWS_WITH_AS(small->step([&] { return tg::sum(x * x); }), doctest::Contains("the limit is max_parameters=1"),
                       tg::Error);
}
