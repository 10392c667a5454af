#include "tapegrad/optim/sgd.hpp"

#include "kernel_util.hpp"
#include "tapegrad/parallel_for.hpp"
#include "tapegrad/optim/registry.hpp"

namespace tg::optim {

template <class T>
void sgd_update(std::span<T> x, std::span<const T> dx, double lr, const GradientTransform& transform) {
  detail::check_lengths("sgd_update", x.size(), {dx.size()});
  const GradientTransformT<T> gradient(transform);
  const T a = static_cast<T>(lr);
  T* __restrict xp = x.data();
  const T* __restrict dp = dx.data();
  parallel_for(static_cast<std::int64_t>(x.size()), kGrainElements, [&](std::int64_t begin, std::int64_t end) {
#pragma omp simd
    for (std::int64_t i = begin; i < end; ++i) xp[i] -= a * gradient(xp[i], dp[i]);
  });
}
template void sgd_update<float>(std::span<float>, std::span<const float>, double, const GradientTransform&);
template void sgd_update<double>(std::span<double>, std::span<const double>, double, const GradientTransform&);

std::vector<OptionSpec> Sgd::options() {
  return with_first_order_options({number_option("lr", 0.01, "learning rate", at_least(0))});
}

Sgd::Sgd(std::vector<ParamGroup> groups, const Options& options)
    : FirstOrderOptimizer("sgd", Sgd::options(), std::move(groups), options) {
  declare_state({});
}

void Sgd::update(const ParamGroup& group, const GradientTransform& transform, const Tensor& param,
                 const Tensor& grad, ParamState& /*state*/) {
  const double lr = group.options.number("lr");
  dispatch_floating(param.dtype(), [&](auto zero) {
    using T = decltype(zero);
    sgd_update<T>(mutable_span<T>(param), const_span<T>(grad), lr, transform);
  });
}

TAPEGRAD_REGISTER_OPTIMIZER(Sgd, "sgd", "gradient descent: x -= lr*dx");

}  // namespace tg::optim
