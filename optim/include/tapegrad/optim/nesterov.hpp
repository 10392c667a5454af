#pragma once
// Nesterov momentum (docs/formulas.md, Optimizers), in either of two forms that need the
// gradient at the stored parameters only:
//   velocity form (default):  v_prev = v;  v = mu*v - lr*dx;  x += -mu*v_prev + (1+mu)*v
//     CS231n's change of variables: the stored x is the look-ahead point x + mu*v.
//   rho form (rho_form=true): v = mu*v + dx;  x -= lr*(dx + mu*v)
//     PyTorch's SGD(nesterov=True).
// With a constant lr they give the same iterates (v_velocity = -lr * v_rho). When a
// schedule changes lr they differ, as momentum's two forms do: the velocity form keeps
// the past rates inside v, the rho form applies the current lr to the whole step, so it
// follows PyTorch through an lr drop.
#include <span>

#include "tapegrad/optim/first_order.hpp"

namespace tg::optim {

struct NesterovStep {
  double lr = 0.01;
  double momentum = 0.9;
  bool rho_form = false;
};

template <class T>
void nesterov_update(std::span<T> x, std::span<const T> dx, std::span<T> v, const NesterovStep& step,
                     const GradientTransform& transform = {});

class Nesterov final : public FirstOrderOptimizer {
 public:
  static std::vector<OptionSpec> options();  // lr, momentum, rho_form + first-order options
  explicit Nesterov(std::vector<ParamGroup> groups, const Options& options = {});
  explicit Nesterov(std::vector<Tensor> params, const Options& options = {})
      : Nesterov(one_group(std::move(params)), options) {}

 protected:
  void update(const ParamGroup& group, const GradientTransform& transform, const Tensor& param, const Tensor& grad,
              ParamState& state) override;
};

}  // namespace tg::optim
