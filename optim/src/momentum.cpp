#include "tapegrad/optim/momentum.hpp"

#include "kernel_util.hpp"
#include "tapegrad/parallel_for.hpp"
#include "tapegrad/optim/registry.hpp"

namespace tg::optim {

template <class T>
void momentum_update(std::span<T> x, std::span<const T> dx, std::span<T> v, const MomentumStep& step,
                     const GradientTransform& transform) {
  detail::check_lengths("momentum_update", x.size(), {dx.size(), v.size()});
  const GradientTransformT<T> gradient(transform);
  const T lr = static_cast<T>(step.lr), mu = static_cast<T>(step.momentum);
  const T share = static_cast<T>(step.first_step ? 1.0 : 1.0 - step.dampening);  // the gradient's share of v
  const T lr_share = lr * share;
  T* __restrict xp = x.data();
  T* __restrict vp = v.data();
  const T* __restrict dp = dx.data();
  parallel_for(static_cast<std::int64_t>(x.size()), kGrainElements, [&](std::int64_t begin, std::int64_t end) {
    if (step.rho_form) {
#pragma omp simd
      for (std::int64_t i = begin; i < end; ++i) {
        vp[i] = mu * vp[i] + share * gradient(xp[i], dp[i]);
        xp[i] -= lr * vp[i];
      }
    } else {
#pragma omp simd
      for (std::int64_t i = begin; i < end; ++i) {
        vp[i] = mu * vp[i] - lr_share * gradient(xp[i], dp[i]);
        xp[i] += vp[i];
      }
    }
  });
}
template void momentum_update<float>(std::span<float>, std::span<const float>, std::span<float>, const MomentumStep&,
                                     const GradientTransform&);
template void momentum_update<double>(std::span<double>, std::span<const double>, std::span<double>,
                                      const MomentumStep&, const GradientTransform&);

std::vector<OptionSpec> Momentum::options() {
  return with_first_order_options({
      number_option("lr", 0.01, "learning rate", at_least(0)),
      number_option("momentum", 0.9, "mu (or rho): the fraction of the velocity kept each step",
                    unit_interval_open_right()),
      boolean_option("rho_form", false, "use v = rho*v + dx; x -= lr*v instead of v = mu*v - lr*dx; x += v"),
      number_option("dampening", 0.0, "d: the gradient enters v scaled by (1-d) after the first step (PyTorch's SGD)",
                    closed_interval(0, 1)),
  });
}

Momentum::Momentum(std::vector<ParamGroup> groups, const Options& options)
    : FirstOrderOptimizer("momentum", Momentum::options(), std::move(groups), options) {
  declare_state({buffer_state("v")});
}

void Momentum::update(const ParamGroup& group, const GradientTransform& transform, const Tensor& param,
                      const Tensor& grad, ParamState& state) {
  const bool first_step = !state.contains("v");
  const MomentumStep step{group.options.number("lr"), group.options.number("momentum"),
                          group.options.boolean("rho_form"), group.options.number("dampening"), first_step};
  const Tensor& v = state_buffer(state, "v", param);
  dispatch_floating(param.dtype(), [&](auto zero) {
    using T = decltype(zero);
    momentum_update<T>(mutable_span<T>(param), const_span<T>(grad), mutable_span<T>(v), step, transform);
  });
}

TAPEGRAD_REGISTER_OPTIMIZER(Momentum, "momentum",
                            "SGD with momentum: v = mu*v - lr*dx; x += v (or v = rho*v + dx; x -= lr*v)");

}  // namespace tg::optim
