#pragma once
#include "tapegrad/nn/module.hpp"
#include "tapegrad/random.hpp"

namespace tg::nn {

enum class StochasticDepthMode {
  row,    // one keep/drop draw per sample (the batch dim)
  batch,  // one draw for the whole batch
};

// Stochastic depth (Huang et al. 2016; docs/formulas.md, Regularization) around a residual branch:
// in training, x + keep * branch(x) / (1 - p) with keep ~ Bernoulli(1 - p) per sample
// (row, a [N, 1, ...] mask) or per batch; eval, x + branch(x). Scaling survivors in
// training (as torchvision does) instead of scaling by 1 - p at test time gives the
// same expectation and leaves eval untouched. In batch mode a dropped branch is not
// computed at all (its parameters then get no gradient from that step). The branch
// is the child "branch" and must keep x's shape; replace_module("branch", ...) swaps it.
class StochasticDepth : public Module {
 public:
  StochasticDepth(ModulePtr branch, double p, StochasticDepthMode mode = StochasticDepthMode::row,
                  Generator* gen = nullptr);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "StochasticDepth"; }
  std::string extra_repr() const override;
  const ModulePtr& branch() const { return branch_; }
  Generator* generator() const { return gen_; }  // null: the thread's default

 protected:
  void replacing_child(const std::string& name, const ModulePtr& module) override;

 private:
  ModulePtr branch_;
  double p_;
  StochasticDepthMode mode_;
  Generator* gen_;  // not owned, must outlive the module; null: the thread's default
};

}  // namespace tg::nn
