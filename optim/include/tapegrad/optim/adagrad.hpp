#pragma once
// AdaGrad (docs/formulas.md, Optimizers): cache += dx^2;  x -= lr*dx/(sqrt(cache)+eps).
// Each coordinate's effective rate lr/(sqrt(cache)+eps) only ever shrinks.
#include <span>

#include "tapegrad/optim/first_order.hpp"

namespace tg::optim {

struct AdagradStep {
  double lr = 0.01;
  double eps = 1e-8;
};

template <class T>
void adagrad_update(std::span<T> x, std::span<const T> dx, std::span<T> cache, const AdagradStep& step,
                    const GradientTransform& transform = {});

class Adagrad final : public FirstOrderOptimizer {
 public:
  static std::vector<OptionSpec> options();  // lr, eps + first-order options
  explicit Adagrad(std::vector<ParamGroup> groups, const Options& options = {});
  explicit Adagrad(std::vector<Tensor> params, const Options& options = {})
      : Adagrad(one_group(std::move(params)), options) {}

 protected:
  void update(const ParamGroup& group, const GradientTransform& transform, const Tensor& param, const Tensor& grad,
              ParamState& state) override;
};

}  // namespace tg::optim
