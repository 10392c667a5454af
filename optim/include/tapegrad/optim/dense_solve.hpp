#pragma once
// Small dense linear algebra for Newton's method: solves (H + damping*I) d = g.
#include <cstdint>
#include <span>
#include <vector>

namespace tg::optim {

enum class LinearSolver { cholesky, gaussian_elimination };

struct NewtonSystemSolution {
  std::vector<double> d;
  LinearSolver solver = LinearSolver::cholesky;
};

// h is n x n, row-major, symmetric. Cholesky (H + damping*I = L L^T) when the matrix is
// positive definite; otherwise Gaussian elimination with partial pivoting (an indefinite
// H gives the Newton step towards the saddle, as the plain method does). A singular
// matrix is a tg::Error that suggests a positive damping.
NewtonSystemSolution solve_newton_system(std::span<const double> h, std::span<const double> g, std::int64_t n,
                                         double damping = 0);

// a = L L^T in place (lower triangle); false if a is not positive definite.
bool cholesky_factor(std::vector<double>& a, std::int64_t n);

}  // namespace tg::optim
