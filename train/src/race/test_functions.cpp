#include <tapegrad/train/race/test_functions.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <tapegrad/autograd.hpp>
#include <tapegrad/error.hpp>
#include <tapegrad/ops/elementwise.hpp>
#include <tapegrad/ops/operators.hpp>
#include <tapegrad/ops/reduce.hpp>
#include <tapegrad/ops/views.hpp>

namespace tg::train {

namespace {

Tensor bowl(const Tensor& x, const Tensor& y) { return square(x) / 20.0 + square(y); }

Tensor saddle(const Tensor& x, const Tensor& y) { return square(x) - square(y); }

Tensor rosenbrock(const Tensor& x, const Tensor& y) { return square(1.0 - x) + 100.0 * square(y - square(x)); }

Tensor beale(const Tensor& x, const Tensor& y) {
  const Tensor y2 = y * y;
  return square(1.5 - x + x * y) + square(2.25 - x + x * y2) + square(2.625 - x + x * y2 * y);
}

// The clean functions. Starts and rectangles: the bowl is x^2/20 + y^2 from
// (-7, 2) (docs/formulas.md); Rosenbrock's start is the classic (-1.2, 1); the saddle starts on its
// stable axis but 1e-3 off it, so that gradient descent has a tiny push to escape.
std::vector<TestFunction> clean_functions() {
  return {
      {.name = "bowl", .formula = "x^2/20 + y^2", .expression = bowl, .start = {-7, 2},
       .plot = {-10, 10, -5, 5}, .minimum = 0.0},
      {.name = "saddle", .formula = "x^2 - y^2", .expression = saddle, .start = {-1, 1e-3},
       .plot = {-1.5, 1.5, -1.5, 1.5}, .minimum = std::nullopt, .escape_loss = -1},
      {.name = "rosenbrock", .formula = "(1-x)^2 + 100 (y-x^2)^2", .expression = rosenbrock, .start = {-1.2, 1},
       .plot = {-2, 2, -1, 3}, .minimum = 0.0},
      {.name = "beale", .formula = "(1.5-x+xy)^2 + (2.25-x+xy^2)^2 + (2.625-x+xy^3)^2", .expression = beale,
       .start = {1, 1}, .plot = {-1, 4.5, -1.5, 2}, .minimum = 0.0},
  };
}

// Gradient noise per function, about a tenth to a quarter of the gradient's size where
// the runs end up, so that the noise matters near the minimum but does not swamp the start.
double noise_std_of(const std::string& name) {
  if (name == "saddle") return 0.1;
  if (name == "rosenbrock") return 1.0;
  return 0.5;
}

}  // namespace

Tensor TestFunction::loss(const Tensor& p, const Tensor& noise_direction) const {
  TG_CHECK(p.dtype() == f64 && p.shape() == Shape{2}, "{}: expected an f64 tensor of shape [2], got {} {}", name,
           dtype_name(p.dtype()), p.shape().str());
  Tensor f = sum(expression(slice(p, 0, 0, 1), slice(p, 0, 1, 2)));
  if (noise_std > 0 && noise_direction.defined()) f = f + noise_std * sum(noise_direction * p);
  return f;
}

double TestFunction::value(double x, double y) const {
  NoGradGuard no_grad;
  const std::vector<double> px{x}, py{y};
  return expression(from_vector(px, {1}), from_vector(py, {1})).item();
}

bool TestFunction::reached(double f, double tolerance) const {
  return minimum ? f - *minimum < tolerance : f < escape_loss;
}

std::vector<TestFunction> test_functions() {
  std::vector<TestFunction> all = clean_functions();
  for (TestFunction f : clean_functions()) {
    f.noise_std = noise_std_of(f.name);
    f.name = "noisy_" + f.name;
    f.formula += fmt::format(" + {} r.(x, y), r ~ N(0, I) per step", f.noise_std);
    all.push_back(f);
  }
  return all;
}

std::vector<std::string> test_function_names() {
  std::vector<std::string> names;
  for (const TestFunction& f : test_functions()) names.push_back(f.name);
  return names;
}

TestFunction find_test_function(const std::string& name) {
  for (const TestFunction& f : test_functions())
    if (f.name == name) return f;
  fail("unknown test function '{}'; known: {}", name, fmt::join(test_function_names(), ", "));
}

}  // namespace tg::train
