// gradcheck never passes silently: an input the function does not depend on is reported
// `unused` and fails unless allowed; a function that calls tg::grad itself is checked;
// gradcheck_objective compares a gradient the caller computes. Core calls only.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "check_error.hpp"
#include "tapegrad/autograd.hpp"
#include "tapegrad/gradcheck.hpp"
#include "tapegrad/tensor.hpp"

using tg::Tensor;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::int64_t count(const tg::GradcheckInputReport& in, tg::Verdict v) { return in.count[static_cast<int>(v)]; }

// sum_i x_i^3 and its gradient 3 x_i^2, computed off the tape.
double cube_sum(const Tensor& x) {
  double s = 0;
  for (double v : x.to_vector<double>()) s += v * v * v;
  return s;
}
Tensor cube_gradient(const Tensor& x, double scale = 3) {
  std::vector<double> g = x.to_vector<double>();
  for (double& v : g) v = scale * v * v;
  return tg::from_vector(g, x.shape());
}

}  // namespace

TEST_CASE("gradcheck of a function that ignores its input reports it unused and fails") {
  // The classic mistake: f reads a tensor of its own (a module's parameter), not its input.
  const Tensor own = tg::from_vector(std::vector<double>{1, 2, 3}, {3}).requires_grad_();
  const Tensor given = tg::from_vector(std::vector<double>{1, 2, 3}, {3});
  const tg::GradcheckReport report = tg::gradcheck([&](const std::vector<Tensor>&) { return own.clone(); }, {given});
  REQUIRE(report.inputs.size() == 1);
  const tg::GradcheckInputReport& in = report.inputs[0];
  CHECK(in.unused);
  CHECK(in.verdict == tg::Verdict::unused);
  CHECK(report.verdict == tg::Verdict::unused);
  CHECK_FALSE(report.passed());
  // Its finite differences were taken: all zero, so its elements are good.
  CHECK(in.checked == 3);
  CHECK(count(in, tg::Verdict::good) == 3);
  const std::string table = report.table();
  INFO(table);
  CHECK(contains(table, "gradcheck: UNUSED"));
  CHECK(contains(table, "input 0 [3]: unused: the function does not depend on it"));
  CHECK(contains(table, "pass inputs the function reads, or use tg::nn::gradcheck_module for a module's parameters"));
}

TEST_CASE("gradcheck of a function whose outputs do not require grad reports every input unused") {
  const Tensor x = tg::ones({2}, tg::f64), y = tg::ones({2}, tg::f64);
  const tg::GradcheckReport report =
      tg::gradcheck([](const std::vector<Tensor>&) { return tg::ones({2}, tg::f64); }, {x, y});
  REQUIRE(report.inputs.size() == 2);
  CHECK(report.inputs[0].unused);
  CHECK(report.inputs[1].unused);
  CHECK_FALSE(report.passed());
}

TEST_CASE("allow_unused passes an unused input but still reports it") {
  const Tensor x = tg::randn({2, 2}, tg::f64).requires_grad_(), y = tg::randn({3}, tg::f64).requires_grad_();
  const auto fn = [](const std::vector<Tensor>& xs) { return xs[0].clone(); };
  const tg::GradcheckReport strict = tg::gradcheck(fn, {x, y});
  CHECK_FALSE(strict.passed());
  CHECK(strict.inputs[0].verdict == tg::Verdict::good);
  CHECK(strict.inputs[1].verdict == tg::Verdict::unused);

  tg::GradcheckOptions options;
  options.allow_unused = true;
  const tg::GradcheckReport allowed = tg::gradcheck(fn, {x, y}, options);
  CHECK(allowed.passed());
  CHECK(allowed.verdict == tg::Verdict::good);
  CHECK(allowed.inputs[1].unused);
  CHECK(allowed.inputs[1].verdict == tg::Verdict::unused);
  CHECK(contains(allowed.table(), "input 1 [3]: unused"));
  CHECK(contains(allowed.table(), "(allowed: allow_unused)"));
}

TEST_CASE("an input read off the tape is unused and its finite differences are WRONG even when allowed") {
  // f depends on x, but through a detach: the tape has no path, the values do change.
  const Tensor x = tg::from_vector(std::vector<double>{0.5, -1, 2}, {3});
  tg::GradcheckOptions options;
  options.allow_unused = true;
  const tg::GradcheckReport report =
      tg::gradcheck([](const std::vector<Tensor>& xs) { return xs[0].detach().clone(); }, {x}, options);
  const tg::GradcheckInputReport& in = report.inputs.at(0);
  CHECK(in.unused);
  CHECK(count(in, tg::Verdict::wrong) == 3);
  CHECK(report.verdict == tg::Verdict::wrong);
  CHECK_FALSE(report.passed());
  CHECK(contains(report.table(), "yet f changes with it"));
}

TEST_CASE("the unused verdict is ordered between wrong and non-finite and is named") {
  CHECK(tg::Verdict::unused > tg::Verdict::wrong);
  CHECK(tg::Verdict::unused < tg::Verdict::non_finite);
  CHECK(tg::kVerdictCount == static_cast<int>(tg::Verdict::non_finite) + 1);
  CHECK(tg::verdict_name(tg::Verdict::unused) == "unused");
}

TEST_CASE("gradgradcheck: a gradient constant in x is not unused, a function ignoring x is") {
  // f(x) = x (a clone): its gradient does not depend on x, the second derivative is 0.
  const Tensor x = tg::randn({3}, tg::f64);
  const tg::GradcheckReport linear = tg::gradgradcheck([](const std::vector<Tensor>& xs) { return xs[0].clone(); }, {x});
  CHECK(linear.passed());
  CHECK_FALSE(linear.inputs.at(0).unused);
  const Tensor own = tg::ones({3}, tg::f64).requires_grad_();
  const tg::GradcheckReport ignoring = tg::gradgradcheck([&](const std::vector<Tensor>&) { return own.clone(); }, {x});
  CHECK(ignoring.inputs.at(0).unused);
  CHECK_FALSE(ignoring.passed());
}

TEST_CASE("gradcheck of a function that calls tg::grad with create_graph") {
  // f(x) = d/dx <x, clone(x)> seeded with x itself: the gradient is the seed x, recorded
  // with create_graph, so f(x) = x and its Jacobian is the identity. Without grad mode in
  // the finite differences tg::grad would throw (the clone would not require grad).
  const auto fn = [](const std::vector<Tensor>& xs) {
    tg::BackwardOptions options;
    options.create_graph = true;
    const std::vector<Tensor> outputs{xs[0].clone()}, inputs{xs[0]}, seeds{xs[0]};
    return tg::grad(outputs, inputs, seeds, options)[0];
  };
  const Tensor x = tg::from_vector(std::vector<double>{0.5, -1, 2}, {3});
  const tg::GradcheckReport report = tg::gradcheck(fn, {x});
  INFO(report.table());
  CHECK(report.verdict == tg::Verdict::good);
  CHECK(tg::gradgradcheck(fn, {x}).passed());
}

TEST_CASE("gradcheck_objective compares a given gradient with differences of a given value") {
  const Tensor x = tg::from_vector(std::vector<double>{0.5, -1, 2, 1.5}, {2, 2});
  tg::ScalarObjective objective;
  objective.value = [](const std::vector<Tensor>& xs) { return cube_sum(xs[0]); };
  objective.gradient = [](const std::vector<Tensor>& xs) { return std::vector<Tensor>{cube_gradient(xs[0])}; };
  const tg::GradcheckReport good = tg::gradcheck_objective(objective, {x});
  CHECK(good.verdict == tg::Verdict::good);
  CHECK(good.inputs.at(0).checked == 4);

  objective.gradient = [](const std::vector<Tensor>& xs) { return std::vector<Tensor>{cube_gradient(xs[0], 2)}; };
  const tg::GradcheckReport wrong = tg::gradcheck_objective(objective, {x});
  CHECK(wrong.verdict == tg::Verdict::wrong);
  bool seen = false;
  for (const tg::GradcheckElement& e : wrong.inputs.at(0).worst) {
    if (e.value != 2) continue;
    seen = true;
    CHECK(e.index == tg::Shape{1, 0});
    CHECK(e.analytic == doctest::Approx(2 * 4.0));  // the given 2 x^2 at x = 2
    CHECK(e.numeric == doctest::Approx(3 * 4.0).epsilon(1e-6));
  }
  CHECK(seen);

  objective.gradient = [](const std::vector<Tensor>&) { return std::vector<Tensor>(1); };
  const tg::GradcheckReport unused = tg::gradcheck_objective(objective, {x});
  CHECK(unused.inputs.at(0).unused);
  CHECK(count(unused.inputs.at(0), tg::Verdict::wrong) == 4);  // the value does change with x
}

TEST_CASE("gradcheck_objective refuses a missing function and a gradient of the wrong count or shape") {
  const Tensor x = tg::ones({2}, tg::f64);
  tg::ScalarObjective objective;
  objective.value = [](const std::vector<Tensor>& xs) { return cube_sum(xs[0]); };
  CHECK_ERROR(tg::gradcheck_objective(objective, {x}), "gradcheck_objective: value and gradient must both be set");
  objective.gradient = [](const std::vector<Tensor>& xs) { return std::vector<Tensor>{xs[0], xs[0]}; };
  CHECK_ERROR(tg::gradcheck_objective(objective, {x}), "gradcheck_objective: gradient returned 2 tensors for 1 inputs");
  objective.gradient = [](const std::vector<Tensor>&) { return std::vector<Tensor>{tg::ones({3}, tg::f64)}; };
  CHECK_ERROR(tg::gradcheck_objective(objective, {x}),
              "gradcheck: gradient of input 0 has shape [3], the input has shape [2]");
}
