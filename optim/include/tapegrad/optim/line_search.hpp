#pragma once
// The strong-Wolfe line search L-BFGS uses (Nocedal & Wright, Numerical Optimization,
// algorithms 3.5 and 3.6: bracketing, then zoom with safeguarded cubic interpolation;
// the same procedure as PyTorch's torch.optim.LBFGS). Pure functions over vectors.
#include <functional>
#include <span>
#include <vector>

namespace tg::optim {

// Minimizer of the cubic through (x1, f1) and (x2, f2) with slopes g1, g2, clamped to
// [lo, hi]; the midpoint of [lo, hi] when the cubic has no minimizer.
double cubic_interpolate(double x1, double f1, double g1, double x2, double f2, double g2, double lo, double hi);

struct StrongWolfeOptions {
  double c1 = 1e-4;                // sufficient decrease: f(t) <= f(0) + c1*t*f'(0)
  double c2 = 0.9;                 // curvature: |f'(t)| <= c2*|f'(0)|
  double tolerance_change = 1e-9;  // stop when the bracket is this narrow (times max|d|)
  int max_evaluations = 25;
};

// Evaluates the objective at x + t*d: returns f and writes the gradient into grad.
using DirectionalObjective = std::function<double(double t, std::vector<double>& grad)>;

struct LineSearchResult {
  double t = 0;               // the step taken
  double f = 0;               // f(x + t*d)
  std::vector<double> grad;   // gradient at x + t*d
  int evaluations = 0;
};

// Searches along d from the current point (value f, gradient grad, directional
// derivative gtd = grad.d < 0), starting with step t.
LineSearchResult strong_wolfe(const DirectionalObjective& objective, double t, std::span<const double> d, double f,
                              std::span<const double> grad, double gtd, const StrongWolfeOptions& options = {});

}  // namespace tg::optim
