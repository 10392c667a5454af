#include "tapegrad/optim/first_order.hpp"

#include <cmath>

#include "tapegrad/sum_of_squares.hpp"
#include "tapegrad/tensor_iteration.hpp"

namespace tg::optim {

std::vector<OptionSpec> first_order_options() {
  return {
      number_option("weight_decay", 0.0, "L2 penalty: adds weight_decay * x to the gradient", at_least(0)),
      number_option("clip_norm", 0.0,
                    "if > 0, scales the gradients so that their global L2 norm is at most clip_norm", at_least(0)),
      number_option("clip_value", 0.0, "if > 0, clamps each gradient element to [-clip_value, clip_value]",
                    at_least(0)),
      boolean_option("maximize", false, "ascends the objective instead of descending it"),
  };
}

std::vector<OptionSpec> with_first_order_options(std::vector<OptionSpec> schema) {
  for (OptionSpec& spec : first_order_options()) schema.push_back(std::move(spec));
  return schema;
}

GradientTransform gradient_transform(const Options& options, double global_norm) {
  GradientTransform t;
  t.scale = options.boolean("maximize") ? -1.0 : 1.0;
  const double clip_norm = options.number("clip_norm");
  if (clip_norm > 0 && global_norm > clip_norm) t.scale *= clip_norm / global_norm;
  const double clip_value = options.number("clip_value");
  if (clip_value > 0) t.clip_value = clip_value;
  t.weight_decay = options.number("weight_decay");
  return t;
}

double global_norm(std::span<const Tensor> tensors) {
  double total = 0;
  for (const Tensor& t : tensors) total += sum_of_squares(t);
  return std::sqrt(total);
}

void FirstOrderOptimizer::step_impl() {
  const std::vector<ParamGroup>& groups = param_groups();
  double norm = 0;
  bool clips_by_norm = false;
  for (const ParamGroup& group : groups) clips_by_norm |= !group.frozen && group.options.number("clip_norm") > 0;
  if (clips_by_norm) {  // one extra read of the gradients, only when asked for
    std::vector<Tensor> grads;
    for (const ParamGroup& group : groups)
      if (!group.frozen)
        for (const Tensor& p : group.params)
          if (p.requires_grad() && p.grad().defined()) grads.push_back(p.grad());
    norm = global_norm(grads);
  }
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const ParamGroup& group = groups[g];
    if (group.frozen) continue;
    const GradientTransform transform = gradient_transform(group.options, norm);
    for (std::size_t i = 0; i < group.params.size(); ++i) {
      const Tensor& param = group.params[i];
      const Tensor& grad = param.grad();
      if (!grad.defined() || !param.requires_grad()) continue;
      const Tensor contiguous_grad = grad.contiguous();
      if (param.is_contiguous()) {
        update(group, transform, param, contiguous_grad, mutable_state(g, i));
      } else {  // e.g. a transposed view: update a contiguous copy and write it back
        const Tensor copy = param.detach().clone();
        update(group, transform, copy, contiguous_grad, mutable_state(g, i));
        copy_elements(param, copy);
      }
      param.bump_version();
    }
  }
}

}  // namespace tg::optim
