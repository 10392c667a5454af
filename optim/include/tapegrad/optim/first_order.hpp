#pragma once
// FirstOrderOptimizer: the shell shared by every optimizer that updates each parameter
// from its own gradient (sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw). It adds
// the common options (weight_decay, clip_norm, clip_value, maximize), computes the global
// gradient norm when a group clips by norm, skips frozen groups and parameters without a
// gradient or with requires_grad false, and bumps each updated parameter's version. A
// subclass writes update() only.
#include <span>
#include <string>
#include <vector>

#include "tapegrad/optim/gradient_transform.hpp"
#include "tapegrad/optim/optimizer.hpp"

namespace tg::optim {

// weight_decay (L2, added to the gradient), clip_norm, clip_value, maximize.
std::vector<OptionSpec> first_order_options();
// schema followed by first_order_options().
std::vector<OptionSpec> with_first_order_options(std::vector<OptionSpec> schema);

// The transform a group's options ask for; global_norm is the L2 norm of all gradients
// (only read when the group's clip_norm is set).
GradientTransform gradient_transform(const Options& options, double global_norm);

// sqrt(sum of squares) over the tensors (any dtype f32/f64, any layout), in double.
double global_norm(std::span<const Tensor> tensors);
inline double global_norm(std::initializer_list<Tensor> tensors) {
  return global_norm(std::span<const Tensor>(tensors.begin(), tensors.size()));
}

class FirstOrderOptimizer : public Optimizer {
 public:
  using Optimizer::Optimizer;

 protected:
  // Updates param in place. param and grad are contiguous with the same shape and dtype;
  // the caller bumps param's version afterwards.
  virtual void update(const ParamGroup& group, const GradientTransform& transform, const Tensor& param,
                      const Tensor& grad, ParamState& state) = 0;

  using Optimizer::step_impl;
  void step_impl() final;
};

}  // namespace tg::optim

namespace tg::optim {
// The elements of a contiguous tensor as a span (for calling the update kernels).
template <class T>
std::span<T> mutable_span(const Tensor& t) {
  TG_CHECK(t.is_contiguous(), "optim: expected a contiguous tensor, got shape {}", t.shape().str());
  return {t.data<T>(), static_cast<std::size_t>(t.numel())};
}
template <class T>
std::span<const T> const_span(const Tensor& t) {
  return mutable_span<T>(t);
}
}  // namespace tg::optim
