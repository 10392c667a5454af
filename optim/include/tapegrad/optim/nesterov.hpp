#pragma once
// Nesterov momentum (docs/formulas.md, Optimizers) in the change-of-variables form, which needs
// the gradient at the stored parameters only:
//   v_prev = v;  v = mu*v - lr*dx;  x += -mu*v_prev + (1+mu)*v
// The stored x is the look-ahead point x + mu*v of CS231n's form (see test_optim.cpp).
#include <span>

#include "tapegrad/optim/first_order.hpp"

namespace tg::optim {

struct NesterovStep {
  double lr = 0.01;
  double momentum = 0.9;
};

template <class T>
void nesterov_update(std::span<T> x, std::span<const T> dx, std::span<T> v, const NesterovStep& step,
                     const GradientTransform& transform = {});

class Nesterov final : public FirstOrderOptimizer {
 public:
  static std::vector<OptionSpec> options();  // lr, momentum + first-order options
  explicit Nesterov(std::vector<ParamGroup> groups, const Options& options = {});
  explicit Nesterov(std::vector<Tensor> params, const Options& options = {})
      : Nesterov(one_group(std::move(params)), options) {}

 protected:
  void update(const ParamGroup& group, const GradientTransform& transform, const Tensor& param, const Tensor& grad,
              ParamState& state) override;
};

}  // namespace tg::optim
