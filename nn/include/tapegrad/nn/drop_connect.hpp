#pragma once
#include <memory>

#include "tapegrad/nn/linear.hpp"
#include "tapegrad/random.hpp"

namespace tg::nn {

// DropConnect (Wan et al. 2013; docs/formulas.md, Regularization): drops weights, not activations.
// In training every forward draws a fresh Bernoulli mask over the wrapped Linear's
// weight and computes linear(x, weight * mask / (1 - p), bias), so only kept weights
// receive gradient; eval uses the full weight. The Linear is the child "linear" (its
// parameters are "linear.weight" and "linear.bias"); replace_module("linear", ...) takes
// another Linear only.
class DropConnect : public Module {
 public:
  DropConnect(std::shared_ptr<Linear> linear, double p = 0.5, Generator* gen = nullptr);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "DropConnect"; }
  std::string extra_repr() const override;
  const std::shared_ptr<Linear>& linear() const { return linear_; }
  double p() const { return p_; }
  Generator* generator() const { return gen_; }  // null: the thread's default

 protected:
  void replacing_child(const std::string& name, const ModulePtr& module) override;

 private:
  std::shared_ptr<Linear> linear_;
  double p_;
  Generator* gen_;  // not owned, must outlive the module; null: the thread's default
};

}  // namespace tg::nn
