#pragma once
// AdaGrad (docs/formulas.md, Optimizers): cache += dx^2;  x -= lr_t*dx/(sqrt(cache)+eps).
// Each coordinate's effective rate lr_t/(sqrt(cache)+eps) only ever shrinks. As in
// PyTorch's Adagrad, lr_t = lr / (1 + (t-1)*lr_decay) at step t (from 1), and the cache
// starts at initial_accumulator_value instead of 0.
#include <cstdint>
#include <span>

#include "tapegrad/optim/first_order.hpp"

namespace tg::optim {

struct AdagradStep {
  double lr = 0.01;
  double eps = 1e-8;
  double lr_decay = 0;
  std::int64_t t = 1;  // this step's number, from 1 (for lr_decay)
};

template <class T>
void adagrad_update(std::span<T> x, std::span<const T> dx, std::span<T> cache, const AdagradStep& step,
                    const GradientTransform& transform = {});

class Adagrad final : public FirstOrderOptimizer {
 public:
  static std::vector<OptionSpec> options();  // lr, eps, lr_decay, initial_accumulator_value + first-order options
  explicit Adagrad(std::vector<ParamGroup> groups, const Options& options = {});
  explicit Adagrad(std::vector<Tensor> params, const Options& options = {})
      : Adagrad(one_group(std::move(params)), options) {}

 protected:
  void update(const ParamGroup& group, const GradientTransform& transform, const Tensor& param, const Tensor& grad,
              ParamState& state) override;
};

}  // namespace tg::optim
