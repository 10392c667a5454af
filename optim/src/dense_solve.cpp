#include "tapegrad/optim/dense_solve.hpp"

#include <cmath>

#include "tapegrad/error.hpp"

namespace tg::optim {

bool cholesky_factor(std::vector<double>& a, std::int64_t n) {
  for (std::int64_t j = 0; j < n; ++j) {
    double diagonal = a[j * n + j];
    for (std::int64_t k = 0; k < j; ++k) diagonal -= a[j * n + k] * a[j * n + k];
    if (!(diagonal > 0)) return false;
    const double l_jj = std::sqrt(diagonal);
    a[j * n + j] = l_jj;
    for (std::int64_t i = j + 1; i < n; ++i) {
      double v = a[i * n + j];
      for (std::int64_t k = 0; k < j; ++k) v -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = v / l_jj;
    }
  }
  return true;
}

namespace {

std::vector<double> cholesky_solve(const std::vector<double>& l, std::span<const double> b, std::int64_t n) {
  std::vector<double> y(b.begin(), b.end());
  for (std::int64_t i = 0; i < n; ++i) {  // L y = b
    for (std::int64_t k = 0; k < i; ++k) y[i] -= l[i * n + k] * y[k];
    y[i] /= l[i * n + i];
  }
  for (std::int64_t i = n - 1; i >= 0; --i) {  // L^T x = y
    for (std::int64_t k = i + 1; k < n; ++k) y[i] -= l[k * n + i] * y[k];
    y[i] /= l[i * n + i];
  }
  return y;
}

std::vector<double> gaussian_solve(std::vector<double> a, std::span<const double> b, std::int64_t n) {
  std::vector<double> x(b.begin(), b.end());
  double scale = 0;
  for (double v : a) scale = std::max(scale, std::fabs(v));
  for (std::int64_t c = 0; c < n; ++c) {
    std::int64_t pivot = c;
    for (std::int64_t r = c + 1; r < n; ++r)
      if (std::fabs(a[r * n + c]) > std::fabs(a[pivot * n + c])) pivot = r;
    TG_CHECK(std::fabs(a[pivot * n + c]) > 1e-13 * scale && scale > 0,
             "newton: the Hessian (plus damping) is singular; set the option damping > 0 (e.g. damping=1e-3)");
    if (pivot != c) {
      for (std::int64_t k = 0; k < n; ++k) std::swap(a[c * n + k], a[pivot * n + k]);
      std::swap(x[c], x[pivot]);
    }
    for (std::int64_t r = c + 1; r < n; ++r) {
      const double factor = a[r * n + c] / a[c * n + c];
      if (factor == 0) continue;
      for (std::int64_t k = c; k < n; ++k) a[r * n + k] -= factor * a[c * n + k];
      x[r] -= factor * x[c];
    }
  }
  for (std::int64_t i = n - 1; i >= 0; --i) {
    for (std::int64_t k = i + 1; k < n; ++k) x[i] -= a[i * n + k] * x[k];
    x[i] /= a[i * n + i];
  }
  return x;
}

}  // namespace

NewtonSystemSolution solve_newton_system(std::span<const double> h, std::span<const double> g, std::int64_t n,
                                         double damping) {
  TG_CHECK(static_cast<std::int64_t>(h.size()) == n * n && static_cast<std::int64_t>(g.size()) == n,
           "solve_newton_system: expected a {}x{} matrix and {} values, got {} and {}", n, n, n, h.size(), g.size());
  std::vector<double> a(h.begin(), h.end());
  for (std::int64_t i = 0; i < n; ++i) a[i * n + i] += damping;
  std::vector<double> l = a;
  if (cholesky_factor(l, n)) return {cholesky_solve(l, g, n), LinearSolver::cholesky};
  return {gaussian_solve(std::move(a), g, n), LinearSolver::gaussian_elimination};
}

}  // namespace tg::optim
