#include "tapegrad/optim/adam.hpp"

#include <cmath>

#include "kernel_util.hpp"
#include "tapegrad/parallel_for.hpp"
#include "tapegrad/optim/registry.hpp"

namespace tg::optim {

namespace {

// One pass of the update; AmsGrad is compile-time so that each variant is its own
// vectorized loop.
template <bool AmsGrad, class T>
void adam_pass(T* __restrict xp, const T* __restrict dp, T* __restrict mp, T* __restrict vp, T* __restrict wp,
               std::int64_t n, const AdamStep& step, const GradientTransformT<T>& gradient) {
  const double t = static_cast<double>(step.t);
  // mt = m/(1-b1^t), vt = v/(1-b2^t): the two divisions become multiplications.
  const T b1 = static_cast<T>(step.beta1), one_minus_b1 = static_cast<T>(1 - step.beta1);
  const T b2 = static_cast<T>(step.beta2), one_minus_b2 = static_cast<T>(1 - step.beta2);
  const T lr_over_bc1 = static_cast<T>(step.lr / (1 - std::pow(step.beta1, t)));
  const T inv_bc2 = static_cast<T>(1 / (1 - std::pow(step.beta2, t)));
  const T eps = static_cast<T>(step.eps);
  const T decay = static_cast<T>(1 - step.lr * step.decoupled_weight_decay);
  parallel_for(n, kGrainElements, [=](std::int64_t begin, std::int64_t end) {
#pragma omp simd
    for (std::int64_t i = begin; i < end; ++i) {
      const T g = gradient(xp[i], dp[i]);
      const T mi = b1 * mp[i] + one_minus_b1 * g;
      const T vi = b2 * vp[i] + one_minus_b2 * g * g;
      mp[i] = mi;
      vp[i] = vi;
      T second_moment = vi;
      if constexpr (AmsGrad) {
        const T w = wp[i];
        second_moment = w > vi ? w : vi;  // std::max's reference return keeps this loop scalar
        wp[i] = second_moment;
      }
      xp[i] = decay * xp[i] - lr_over_bc1 * mi / (std::sqrt(second_moment * inv_bc2) + eps);
    }
  });
}

}  // namespace

template <class T>
void adam_update(std::span<T> x, std::span<const T> dx, std::span<T> m, std::span<T> v, const AdamStep& step,
                 const GradientTransform& transform, std::span<T> v_max) {
  detail::check_lengths("adam_update", x.size(), {dx.size(), m.size(), v.size()});
  if (step.amsgrad) detail::check_lengths("adam_update (v_max)", x.size(), {v_max.size()});
  TG_CHECK(step.t >= 1, "adam_update: the step number t counts from 1, got {}", step.t);
  const GradientTransformT<T> gradient(transform);
  const auto n = static_cast<std::int64_t>(x.size());
  if (step.amsgrad) {
    adam_pass<true>(x.data(), dx.data(), m.data(), v.data(), v_max.data(), n, step, gradient);
  } else {
    adam_pass<false>(x.data(), dx.data(), m.data(), v.data(), v_max.data(), n, step, gradient);
  }
}
template void adam_update<float>(std::span<float>, std::span<const float>, std::span<float>, std::span<float>,
                                 const AdamStep&, const GradientTransform&, std::span<float>);
template void adam_update<double>(std::span<double>, std::span<const double>, std::span<double>, std::span<double>,
                                  const AdamStep&, const GradientTransform&, std::span<double>);

namespace {
std::vector<OptionSpec> adam_core_options() {
  return {
      number_option("lr", 1e-3, "learning rate", at_least(0)),
      number_option("beta1", 0.9, "decay of the first-moment (mean) estimate m", unit_interval_open_right()),
      number_option("beta2", 0.999, "decay of the second-moment estimate v", unit_interval_open_right()),
      number_option("eps", 1e-8, "added to sqrt(vt) to avoid division by zero", greater_than(0)),
      boolean_option("amsgrad", false, "divide by the running maximum of v (AMSGrad, Reddi et al. 2018)"),
  };
}
}  // namespace

std::vector<OptionSpec> Adam::options() { return with_first_order_options(adam_core_options()); }

std::vector<OptionSpec> AdamW::options() {
  std::vector<OptionSpec> schema = with_first_order_options(adam_core_options());
  for (OptionSpec& spec : schema) {
    if (spec.name == "weight_decay") {
      spec.default_value = 0.01;
      spec.doc = "decoupled weight decay: x -= lr * weight_decay * x before the Adam update";
    }
  }
  return schema;
}

Adam::Adam(std::vector<ParamGroup> groups, const Options& options)
    : Adam("adam", Adam::options(), std::move(groups), options, false) {}

Adam::Adam(std::string name, std::vector<OptionSpec> schema, std::vector<ParamGroup> groups, const Options& options,
           bool decoupled_weight_decay)
    : FirstOrderOptimizer(std::move(name), std::move(schema), std::move(groups), options),
      decoupled_weight_decay_(decoupled_weight_decay) {
  declare_state({buffer_state("m"), buffer_state("v"), counter_state("step", 1), optional_buffer_state("v_max")});
}

AdamW::AdamW(std::vector<ParamGroup> groups, const Options& options)
    : Adam("adamw", AdamW::options(), std::move(groups), options, true) {}

void Adam::update(const ParamGroup& group, const GradientTransform& transform, const Tensor& param,
                  const Tensor& grad, ParamState& state) {
  const Options& o = group.options;
  AdamStep step{o.number("lr"), o.number("beta1"), o.number("beta2"), o.number("eps"), 1, 0.0, o.boolean("amsgrad")};
  GradientTransform g = transform;
  if (decoupled_weight_decay_) {
    step.decoupled_weight_decay = g.weight_decay;
    g.weight_decay = 0;
  }
  const Tensor m = state_buffer(state, "m", param);
  const Tensor v = state_buffer(state, "v", param);
  const Tensor v_max = step.amsgrad ? state_buffer(state, "v_max", param) : Tensor{};
  step.t = increment_counter(state, "step");
  dispatch_floating(param.dtype(), [&](auto zero) {
    using T = decltype(zero);
    adam_update<T>(mutable_span<T>(param), const_span<T>(grad), mutable_span<T>(m), mutable_span<T>(v), step, g,
                   v_max.defined() ? mutable_span<T>(v_max) : std::span<T>{});
  });
}

TAPEGRAD_REGISTER_OPTIMIZER(Adam, "adam", "Adam with bias correction (weight_decay is an L2 penalty)");
TAPEGRAD_REGISTER_OPTIMIZER(AdamW, "adamw", "Adam with decoupled weight decay: x -= lr*wd*x, then Adam");

}  // namespace tg::optim
