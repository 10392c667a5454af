#pragma once
// Adam with bias correction (Kingma & Ba 2015; docs/formulas.md, Optimizers):
//   m = b1*m + (1-b1)*dx;  v = b2*v + (1-b2)*dx^2
//   mt = m/(1-b1^t);  vt = v/(1-b2^t);  x -= lr*mt/(sqrt(vt)+eps)
// defaults b1=0.9, b2=0.999, eps=1e-8, lr=1e-3. Adam's weight_decay is the L2 penalty
// (added to dx); AdamW's is decoupled (Loshchilov & Hutter): x -= lr*wd*x before the
// Adam update, so the decay is not rescaled by 1/sqrt(vt). amsgrad (Reddi et al. 2018,
// "On the Convergence of Adam and Beyond"), as PyTorch: v_max = max(v_max, v) and the
// denominator uses v_max: x -= lr*mt/(sqrt(v_max/(1-b2^t))+eps).
#include <cstdint>
#include <span>

#include "tapegrad/optim/first_order.hpp"

namespace tg::optim {

struct AdamStep {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  std::int64_t t = 1;                 // this step's number, from 1 (bias correction)
  double decoupled_weight_decay = 0;  // AdamW's weight decay
  bool amsgrad = false;
};

// v_max is read when step.amsgrad (then of x's length); otherwise it may be empty.
template <class T>
void adam_update(std::span<T> x, std::span<const T> dx, std::span<T> m, std::span<T> v, const AdamStep& step,
                 const GradientTransform& transform = {}, std::span<T> v_max = {});

class Adam : public FirstOrderOptimizer {
 public:
  static std::vector<OptionSpec> options();  // lr, beta1, beta2, eps, amsgrad + first-order options
  explicit Adam(std::vector<ParamGroup> groups, const Options& options = {});
  explicit Adam(std::vector<Tensor> params, const Options& options = {})
      : Adam(one_group(std::move(params)), options) {}

 protected:
  Adam(std::string name, std::vector<OptionSpec> schema, std::vector<ParamGroup> groups, const Options& options,
       bool decoupled_weight_decay);
  void update(const ParamGroup& group, const GradientTransform& transform, const Tensor& param, const Tensor& grad,
              ParamState& state) override;

 private:
  bool decoupled_weight_decay_ = false;
};

class AdamW final : public Adam {
 public:
  static std::vector<OptionSpec> options();  // as Adam, weight_decay decoupled (default 0.01)
  explicit AdamW(std::vector<ParamGroup> groups, const Options& options = {});
  explicit AdamW(std::vector<Tensor> params, const Options& options = {})
      : AdamW(one_group(std::move(params)), options) {}
};

}  // namespace tg::optim
