#include "tapegrad/nn/drop_connect.hpp"

#include "tapegrad/ops/elementwise.hpp"
#include "tapegrad/ops/linear.hpp"
#include "tapegrad/ops/random_ops.hpp"

namespace tg::nn {

DropConnect::DropConnect(std::shared_ptr<Linear> linear, double p, Generator* gen)
    : linear_(std::move(linear)), p_(p), gen_(gen) {
  TG_CHECK(linear_ != nullptr, "DropConnect: the Linear is null");
  TG_CHECK(p >= 0 && p <= 1, "DropConnect: p must be in [0, 1], got {}", p);
  register_module("linear", linear_);
}

Tensor DropConnect::forward(const Tensor& x) {
  const Tensor& weight = linear_->weight();
  if (!is_training() || p_ == 0) return tg::linear(x, weight, linear_->bias());
  // mask / (1 - p) is a constant: the weight's gradient is grad * mask / (1 - p).
  const double scale = p_ < 1 ? 1 / (1 - p_) : 0.0;
  const Tensor scaled_mask = bernoulli(weight.shape(), 1 - p_, weight.dtype(), gen_) * scale;
  return tg::linear(x, mul(weight, scaled_mask), linear_->bias());
}

void DropConnect::replacing_child(const std::string& name, const ModulePtr& module) {
  auto linear = std::dynamic_pointer_cast<Linear>(module);
  TG_CHECK(linear != nullptr, "replace_module: DropConnect's child '{}' must be a Linear, got {}", name, module->name());
  linear_ = std::move(linear);
}

std::string DropConnect::extra_repr() const { return fmt::format("p={}", p_); }

}  // namespace tg::nn
