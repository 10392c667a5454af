#include "tapegrad/optim/adagrad.hpp"

#include <cmath>

#include "kernel_util.hpp"
#include "tapegrad/parallel_for.hpp"
#include "tapegrad/optim/registry.hpp"

namespace tg::optim {

template <class T>
void adagrad_update(std::span<T> x, std::span<const T> dx, std::span<T> cache, const AdagradStep& step,
                    const GradientTransform& transform) {
  detail::check_lengths("adagrad_update", x.size(), {dx.size(), cache.size()});
  TG_CHECK(step.t >= 1, "adagrad_update: the step number t counts from 1, got {}", step.t);
  const GradientTransformT<T> gradient(transform);
  const T lr = static_cast<T>(step.lr / (1 + static_cast<double>(step.t - 1) * step.lr_decay));
  const T eps = static_cast<T>(step.eps);
  T* __restrict xp = x.data();
  T* __restrict cp = cache.data();
  const T* __restrict dp = dx.data();
  parallel_for(static_cast<std::int64_t>(x.size()), kGrainElements, [&](std::int64_t begin, std::int64_t end) {
#pragma omp simd
    for (std::int64_t i = begin; i < end; ++i) {
      const T g = gradient(xp[i], dp[i]);
      cp[i] += g * g;
      xp[i] -= lr * g / (std::sqrt(cp[i]) + eps);
    }
  });
}
template void adagrad_update<float>(std::span<float>, std::span<const float>, std::span<float>, const AdagradStep&,
                                    const GradientTransform&);
template void adagrad_update<double>(std::span<double>, std::span<const double>, std::span<double>,
                                     const AdagradStep&, const GradientTransform&);

std::vector<OptionSpec> Adagrad::options() {
  return with_first_order_options({
      number_option("lr", 0.01, "learning rate", at_least(0)),
      number_option("eps", 1e-8, "added to sqrt(cache) to avoid division by zero", greater_than(0)),
      number_option("lr_decay", 0.0, "step t uses lr/(1 + (t-1)*lr_decay)", at_least(0)),
      number_option("initial_accumulator_value", 0.0, "the value cache starts from", at_least(0)),
  });
}

Adagrad::Adagrad(std::vector<ParamGroup> groups, const Options& options)
    : FirstOrderOptimizer("adagrad", Adagrad::options(), std::move(groups), options) {
  // "step" is optional so that a state saved before lr_decay existed still loads; such a
  // state counts its steps again from 1.
  declare_state({buffer_state("cache"), optional_counter_state("step", 1)});
}

void Adagrad::update(const ParamGroup& group, const GradientTransform& transform, const Tensor& param,
                     const Tensor& grad, ParamState& state) {
  const Options& o = group.options;
  const Tensor& cache = state_buffer(state, "cache", param, o.number("initial_accumulator_value"));
  const AdagradStep step{o.number("lr"), o.number("eps"), o.number("lr_decay"), increment_counter(state, "step")};
  dispatch_floating(param.dtype(), [&](auto zero) {
    using T = decltype(zero);
    adagrad_update<T>(mutable_span<T>(param), const_span<T>(grad), mutable_span<T>(cache), step, transform);
  });
}

TAPEGRAD_REGISTER_OPTIMIZER(Adagrad, "adagrad",
                            "AdaGrad: cache += dx^2; x -= lr*dx/(sqrt(cache)+eps) (lr_decay, initial accumulator)");

}  // namespace tg::optim
