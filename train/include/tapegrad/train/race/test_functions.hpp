#pragma once
// The 2-D test functions of the optimizer race (CS231n lecture 7), written as
// tapegrad computations on one f64 parameter tensor p = (x, y), so that any registered
// optimizer (built-in or plug-in) runs on them through optim::create and backward.
//
// A noisy variant adds noise_std * (r . p) to the loss, with r ~ N(0, I) drawn afresh
// for every step from a seeded generator: the gradient becomes grad f + noise_std * r
// (unbiased Gaussian gradient noise, as from minibatches), while the recorded loss and
// the success test use the clean f.
#include <optional>
#include <string>
#include <vector>

#include <tapegrad/tensor.hpp>

namespace tg::train {

struct Point {
  double x = 0, y = 0;
};

struct PlotRectangle {
  double x_min = -1, x_max = 1, y_min = -1, y_max = 1;
};

// The function of x and y as tapegrad ops (x and y: one-element f64 tensors).
using Expression = Tensor (*)(const Tensor& x, const Tensor& y);

struct TestFunction {
  std::string name{};     // "bowl", "noisy_bowl", ...
  std::string formula{};  // for tables and plot titles
  Expression expression = nullptr;
  Point start{};
  PlotRectangle plot{};
  // The minimum value; none when f is unbounded below (the saddle). Then the run has
  // succeeded when it escapes: its loss is below escape_loss.
  std::optional<double> minimum{};
  double escape_loss = -1;
  double noise_std = 0;  // > 0: the noisy variant

  // f(p) on the tape, a 0-d tensor; p is f64 [2]. With noise_direction r (f64 [2]) and
  // noise_std > 0, f(p) + noise_std * (r . p).
  Tensor loss(const Tensor& p, const Tensor& noise_direction = {}) const;
  // The clean f at (x, y), not recorded (for contour plots).
  double value(double x, double y) const;
  // Whether a run at clean loss f has succeeded: f - minimum < tolerance, or, unbounded
  // below, f < escape_loss.
  bool reached(double f, double tolerance) const;
  bool noisy() const { return noise_std > 0; }
};

// The anisotropic bowl, the saddle, Rosenbrock and Beale, then their noisy variants.
std::vector<TestFunction> test_functions();
std::vector<std::string> test_function_names();
// The function called name, or an error listing test_function_names().
TestFunction find_test_function(const std::string& name);

}  // namespace tg::train
