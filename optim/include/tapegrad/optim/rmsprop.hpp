#pragma once
// RMSProp (docs/formulas.md, Optimizers): cache = d*cache + (1-d)*dx^2;  x -= lr*dx/(sqrt(cache)+eps),
// with the decay d typically 0.9, 0.99 or 0.999. Two options as in PyTorch's RMSprop:
//   centered:     grad_avg = d*grad_avg + (1-d)*dx, and the denominator becomes
//                 sqrt(cache - grad_avg^2) + eps (an estimate of the variance, not the
//                 raw second moment)
//   momentum mu:  buf = mu*buf + dx/denominator;  x -= lr*buf
// Each keeps its buffer (grad_avg, momentum_buffer) only when asked for.
#include <span>

#include "tapegrad/optim/first_order.hpp"

namespace tg::optim {

struct RmspropStep {
  double lr = 0.01;
  double decay = 0.99;
  double eps = 1e-8;
  double momentum = 0;
  bool centered = false;
};

// grad_avg is read when step.centered, momentum_buffer when step.momentum > 0 (each then
// of x's length); otherwise they may be empty.
template <class T>
void rmsprop_update(std::span<T> x, std::span<const T> dx, std::span<T> cache, const RmspropStep& step,
                    const GradientTransform& transform = {}, std::span<T> grad_avg = {},
                    std::span<T> momentum_buffer = {});

class Rmsprop final : public FirstOrderOptimizer {
 public:
  static std::vector<OptionSpec> options();  // lr, decay, eps, momentum, centered + first-order options
  explicit Rmsprop(std::vector<ParamGroup> groups, const Options& options = {});
  explicit Rmsprop(std::vector<Tensor> params, const Options& options = {})
      : Rmsprop(one_group(std::move(params)), options) {}

 protected:
  void update(const ParamGroup& group, const GradientTransform& transform, const Tensor& param, const Tensor& grad,
              ParamState& state) override;
};

}  // namespace tg::optim
