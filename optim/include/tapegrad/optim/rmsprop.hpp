#pragma once
// RMSProp (docs/formulas.md, Optimizers): cache = d*cache + (1-d)*dx^2;  x -= lr*dx/(sqrt(cache)+eps),
// with the decay d typically 0.9, 0.99 or 0.999.
#include <span>

#include "tapegrad/optim/first_order.hpp"

namespace tg::optim {

struct RmspropStep {
  double lr = 0.01;
  double decay = 0.99;
  double eps = 1e-8;
};

template <class T>
void rmsprop_update(std::span<T> x, std::span<const T> dx, std::span<T> cache, const RmspropStep& step,
                    const GradientTransform& transform = {});

class Rmsprop final : public FirstOrderOptimizer {
 public:
  static std::vector<OptionSpec> options();  // lr, decay, eps + first-order options
  explicit Rmsprop(std::vector<ParamGroup> groups, const Options& options = {});
  explicit Rmsprop(std::vector<Tensor> params, const Options& options = {})
      : Rmsprop(one_group(std::move(params)), options) {}

 protected:
  void update(const ParamGroup& group, const GradientTransform& transform, const Tensor& param, const Tensor& grad,
              ParamState& state) override;
};

}  // namespace tg::optim
