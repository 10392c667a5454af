#pragma once
// Stochastic gradient descent (docs/formulas.md, Optimizers): x -= lr * dx.
#include <span>

#include "tapegrad/optim/first_order.hpp"

namespace tg::optim {

// x -= lr * g, g the transformed gradient (GradientTransform). One pass, in place.
template <class T>
void sgd_update(std::span<T> x, std::span<const T> dx, double lr, const GradientTransform& transform = {});

class Sgd final : public FirstOrderOptimizer {
 public:
  static std::vector<OptionSpec> options();  // lr and the first-order options
  explicit Sgd(std::vector<ParamGroup> groups, const Options& options = {});
  explicit Sgd(std::vector<Tensor> params, const Options& options = {}) : Sgd(one_group(std::move(params)), options) {}

 protected:
  void update(const ParamGroup& group, const GradientTransform& transform, const Tensor& param, const Tensor& grad,
              ParamState& state) override;
};

}  // namespace tg::optim
