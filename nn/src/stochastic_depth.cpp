#include "tapegrad/nn/stochastic_depth.hpp"

#include <vector>

#include "tapegrad/ops/elementwise.hpp"
#include "tapegrad/ops/random_ops.hpp"

namespace tg::nn {

StochasticDepth::StochasticDepth(ModulePtr branch, double p, StochasticDepthMode mode, Generator* gen)
    : branch_(std::move(branch)), p_(p), mode_(mode), gen_(gen) {
  TG_CHECK(branch_ != nullptr, "StochasticDepth: the branch is null");
  TG_CHECK(p >= 0 && p <= 1, "StochasticDepth: p must be in [0, 1], got {}", p);
  register_module("branch", branch_);
}

Tensor StochasticDepth::forward(const Tensor& x) {
  if (!is_training() || p_ == 0) return add(x, branch_->forward(x));
  if (p_ == 1) return x;
  const double scale = 1 / (1 - p_);
  if (mode_ == StochasticDepthMode::batch) {
    const bool keep = bernoulli({1}, 1 - p_, f64, gen_).item() != 0;
    return keep ? add(x, branch_->forward(x) * scale) : x;
  }
  TG_CHECK(x.dim() >= 1, "StochasticDepth: row mode needs a batch dim, got a scalar input");
  Shape mask_shape;
  mask_shape.push_back(x.size(0));
  for (int i = 1; i < x.dim(); ++i) mask_shape.push_back(1);
  const Tensor keep = bernoulli(mask_shape, 1 - p_, x.dtype(), gen_) * scale;
  return add(x, mul(branch_->forward(x), keep));
}

std::string StochasticDepth::extra_repr() const {
  return fmt::format("p={}, mode={}", p_, mode_ == StochasticDepthMode::row ? "row" : "batch");
}

void StochasticDepth::replacing_child(const std::string&, const ModulePtr& module) { branch_ = module; }

}  // namespace tg::nn
