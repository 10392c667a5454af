#include "tapegrad/optim/nesterov.hpp"

#include "kernel_util.hpp"
#include "tapegrad/parallel_for.hpp"
#include "tapegrad/optim/registry.hpp"

namespace tg::optim {

template <class T>
void nesterov_update(std::span<T> x, std::span<const T> dx, std::span<T> v, const NesterovStep& step,
                     const GradientTransform& transform) {
  detail::check_lengths("nesterov_update", x.size(), {dx.size(), v.size()});
  const GradientTransformT<T> gradient(transform);
  const T lr = static_cast<T>(step.lr), mu = static_cast<T>(step.momentum), one_plus_mu = T(1) + mu;
  T* __restrict xp = x.data();
  T* __restrict vp = v.data();
  const T* __restrict dp = dx.data();
  parallel_for(static_cast<std::int64_t>(x.size()), kGrainElements, [&](std::int64_t begin, std::int64_t end) {
    if (step.rho_form) {
#pragma omp simd
      for (std::int64_t i = begin; i < end; ++i) {
        const T g = gradient(xp[i], dp[i]);
        const T v_new = mu * vp[i] + g;
        vp[i] = v_new;
        xp[i] -= lr * (g + mu * v_new);
      }
    } else {
#pragma omp simd
      for (std::int64_t i = begin; i < end; ++i) {
        const T v_prev = vp[i];
        const T v_new = mu * v_prev - lr * gradient(xp[i], dp[i]);
        vp[i] = v_new;
        xp[i] += -mu * v_prev + one_plus_mu * v_new;
      }
    }
  });
}
template void nesterov_update<float>(std::span<float>, std::span<const float>, std::span<float>, const NesterovStep&,
                                     const GradientTransform&);
template void nesterov_update<double>(std::span<double>, std::span<const double>, std::span<double>,
                                      const NesterovStep&, const GradientTransform&);

std::vector<OptionSpec> Nesterov::options() {
  return with_first_order_options({
      number_option("lr", 0.01, "learning rate", at_least(0)),
      number_option("momentum", 0.9, "mu: the fraction of the velocity kept each step", unit_interval_open_right()),
      boolean_option("rho_form", false,
                     "use PyTorch's v = mu*v + dx; x -= lr*(dx + mu*v), which follows lr changes exactly"),
  });
}

Nesterov::Nesterov(std::vector<ParamGroup> groups, const Options& options)
    : FirstOrderOptimizer("nesterov", Nesterov::options(), std::move(groups), options) {
  declare_state({buffer_state("v")});
}

void Nesterov::update(const ParamGroup& group, const GradientTransform& transform, const Tensor& param,
                      const Tensor& grad, ParamState& state) {
  const NesterovStep step{group.options.number("lr"), group.options.number("momentum"),
                          group.options.boolean("rho_form")};
  const Tensor& v = state_buffer(state, "v", param);
  dispatch_floating(param.dtype(), [&](auto zero) {
    using T = decltype(zero);
    nesterov_update<T>(mutable_span<T>(param), const_span<T>(grad), mutable_span<T>(v), step, transform);
  });
}

TAPEGRAD_REGISTER_OPTIMIZER(Nesterov, "nesterov",
                            "Nesterov momentum: v_prev = v; v = mu*v - lr*dx; x += -mu*v_prev + (1+mu)*v");

}  // namespace tg::optim
