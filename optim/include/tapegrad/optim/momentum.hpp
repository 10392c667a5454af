#pragma once
// Momentum (docs/formulas.md, Optimizers), in either of two forms:
//   velocity form (default):  v = mu*v - lr*dx;  x += v
//   rho form (rho_form=true): v = rho*v + dx;    x -= lr*v   (PyTorch's SGD momentum)
// With a constant lr they give the same iterates (v_velocity = -lr * v_rho); they differ
// when a schedule changes lr, because the velocity form bakes past rates into v.
// dampening d (PyTorch's SGD option) scales the gradient's share of v by (1 - d) from
// the second step on: v = rho*v + (1-d)*dx (rho form) or v = mu*v - lr*(1-d)*dx; the
// first step starts v from the undamped gradient, as PyTorch does.
#include <span>

#include "tapegrad/optim/first_order.hpp"

namespace tg::optim {

struct MomentumStep {
  double lr = 0.01;
  double momentum = 0.9;  // mu, or rho in the rho form
  bool rho_form = false;
  double dampening = 0;
  bool first_step = false;  // v holds no history yet: the gradient enters undamped
};

template <class T>
void momentum_update(std::span<T> x, std::span<const T> dx, std::span<T> v, const MomentumStep& step,
                     const GradientTransform& transform = {});

class Momentum final : public FirstOrderOptimizer {
 public:
  static std::vector<OptionSpec> options();  // lr, momentum, rho_form, dampening + first-order options
  explicit Momentum(std::vector<ParamGroup> groups, const Options& options = {});
  explicit Momentum(std::vector<Tensor> params, const Options& options = {})
      : Momentum(one_group(std::move(params)), options) {}

 protected:
  void update(const ParamGroup& group, const GradientTransform& transform, const Tensor& param, const Tensor& grad,
              ParamState& state) override;
};

}  // namespace tg::optim
