#pragma once
// Newton's method for small problems (docs/formulas.md, Optimizers):  x -= lr * d,  where
// (H + damping*I) d = g. The dense Hessian H comes from the tape's second derivatives:
// g = tg::grad(loss, params, create_graph) and then one Hessian-vector product per
// coordinate (H e_i, a backward pass through the gradient's own graph). A quadratic is
// solved in one step. Only step(closure) works; the closure returns the loss without
// calling backward on it.
#include <cstdint>
#include <initializer_list>
#include <span>
#include <vector>

#include "tapegrad/optim/dense_solve.hpp"
#include "tapegrad/optim/optimizer.hpp"

namespace tg::optim {

struct GradientAndHessian {
  std::vector<double> gradient;  // n
  std::vector<double> hessian;   // n x n, row-major, symmetrized
};
// The gradient and dense Hessian of a scalar loss with respect to params (flattened in
// order), from the tape's second derivatives.
GradientAndHessian gradient_and_hessian(const Tensor& loss, std::span<const Tensor> params);
inline GradientAndHessian gradient_and_hessian(const Tensor& loss, std::initializer_list<Tensor> params) {
  return gradient_and_hessian(loss, std::span<const Tensor>(params.begin(), params.size()));
}

class Newton final : public Optimizer {
 public:
  static std::vector<OptionSpec> options();  // lr, damping, max_parameters
  explicit Newton(std::vector<ParamGroup> groups, const Options& options = {});
  explicit Newton(std::vector<Tensor> params, const Options& options = {})
      : Newton(one_group(std::move(params)), options) {}

  // Which solver the last step used (Cholesky unless H + damping*I was not positive definite).
  LinearSolver last_solver() const { return last_solver_; }

 protected:
  void step_impl() override;
  Tensor step_impl(const Closure& closure) override;

 private:
  LinearSolver last_solver_ = LinearSolver::cholesky;
};

}  // namespace tg::optim
