#include "tapegrad/optim/rmsprop.hpp"

#include <cmath>

#include "kernel_util.hpp"
#include "tapegrad/parallel_for.hpp"
#include "tapegrad/optim/registry.hpp"

namespace tg::optim {

template <class T>
void rmsprop_update(std::span<T> x, std::span<const T> dx, std::span<T> cache, const RmspropStep& step,
                    const GradientTransform& transform) {
  detail::check_lengths("rmsprop_update", x.size(), {dx.size(), cache.size()});
  const GradientTransformT<T> gradient(transform);
  const T lr = static_cast<T>(step.lr), d = static_cast<T>(step.decay), one_minus_d = static_cast<T>(1 - step.decay),
          eps = static_cast<T>(step.eps);
  T* __restrict xp = x.data();
  T* __restrict cp = cache.data();
  const T* __restrict dp = dx.data();
  parallel_for(static_cast<std::int64_t>(x.size()), kGrainElements, [&](std::int64_t begin, std::int64_t end) {
#pragma omp simd
    for (std::int64_t i = begin; i < end; ++i) {
      const T g = gradient(xp[i], dp[i]);
      cp[i] = d * cp[i] + one_minus_d * g * g;
      xp[i] -= lr * g / (std::sqrt(cp[i]) + eps);
    }
  });
}
template void rmsprop_update<float>(std::span<float>, std::span<const float>, std::span<float>, const RmspropStep&,
                                    const GradientTransform&);
template void rmsprop_update<double>(std::span<double>, std::span<const double>, std::span<double>,
                                     const RmspropStep&, const GradientTransform&);

std::vector<OptionSpec> Rmsprop::options() {
  return with_first_order_options({
      number_option("lr", 0.01, "learning rate", at_least(0)),
      number_option("decay", 0.99, "d: the fraction of the squared-gradient cache kept each step",
                    unit_interval_open_right()),
      number_option("eps", 1e-8, "added to sqrt(cache) to avoid division by zero", greater_than(0)),
  });
}

Rmsprop::Rmsprop(std::vector<ParamGroup> groups, const Options& options)
    : FirstOrderOptimizer("rmsprop", Rmsprop::options(), std::move(groups), options) {
  declare_state({buffer_state("cache")});
}

void Rmsprop::update(const ParamGroup& group, const GradientTransform& transform, const Tensor& param,
                     const Tensor& grad, ParamState& state) {
  const RmspropStep step{group.options.number("lr"), group.options.number("decay"), group.options.number("eps")};
  const Tensor& cache = state_buffer(state, "cache", param);
  dispatch_floating(param.dtype(), [&](auto zero) {
    using T = decltype(zero);
    rmsprop_update<T>(mutable_span<T>(param), const_span<T>(grad), mutable_span<T>(cache), step, transform);
  });
}

TAPEGRAD_REGISTER_OPTIMIZER(Rmsprop, "rmsprop", "RMSProp: cache = d*cache + (1-d)*dx^2; x -= lr*dx/(sqrt(cache)+eps)");

}  // namespace tg::optim
