#pragma once
// L-BFGS for full-batch problems (Nocedal & Wright, algorithm 7.4 and 7.5), with a
// strong-Wolfe line search; it follows PyTorch's torch.optim.LBFGS step for step. All
// parameters form one vector (one group). It re-evaluates the loss, so only
// step(closure) works.
#include <cstdint>
#include <span>
#include <vector>

#include "tapegrad/optim/optimizer.hpp"

namespace tg::optim {

// The two-loop recursion: returns d = -H g, with H the inverse-Hessian approximation
// from the pairs s_i = x_{i+1} - x_i, y_i = g_{i+1} - g_i (oldest first), rho_i =
// 1/(y_i.s_i), and H0 = h_diag * I.
std::vector<double> lbfgs_direction(std::span<const double> g, const std::vector<std::vector<double>>& s,
                                    const std::vector<std::vector<double>>& y, std::span<const double> rho,
                                    double h_diag);

class Lbfgs final : public Optimizer {
 public:
  static std::vector<OptionSpec> options();
  explicit Lbfgs(std::vector<ParamGroup> groups, const Options& options = {});
  explicit Lbfgs(std::vector<Tensor> params, const Options& options = {})
      : Lbfgs(one_group(std::move(params)), options) {}

  std::int64_t iterations() const { return n_iter_; }  // L-BFGS iterations so far
  std::int64_t evaluations() const { return func_evals_; }  // closure calls so far

 protected:
  void step_impl() override;
  Tensor step_impl(const Closure& closure) override;
  void save_global_state(StateDict& dict) const override;
  void load_global_state(const StateDict& dict) override;

 private:
  std::vector<double> flat_grad() const;
  std::vector<double> flat_params() const;
  void set_flat_params(std::span<const double> x);
  std::int64_t numel() const;

  // What a step leaves for the next one (PyTorch's state of the same names).
  std::int64_t func_evals_ = 0, n_iter_ = 0;
  std::vector<double> d_, prev_flat_grad_;
  double t_ = 0, h_diag_ = 1, prev_loss_ = 0;
  std::vector<std::vector<double>> old_dirs_, old_stps_;  // y_i and s_i, oldest first
  std::vector<double> ro_;
};

}  // namespace tg::optim
