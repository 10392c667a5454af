#include "tapegrad/optim/rmsprop.hpp"

#include <cmath>

#include "kernel_util.hpp"
#include "tapegrad/parallel_for.hpp"
#include "tapegrad/optim/registry.hpp"

namespace tg::optim {

namespace {

// One pass of the update; Centered and WithMomentum are compile-time so that each of the
// four variants is its own vectorized loop.
template <bool Centered, bool WithMomentum, class T>
void rmsprop_pass(T* __restrict xp, const T* __restrict dp, T* __restrict cp, T* __restrict ap, T* __restrict bp,
                  std::int64_t n, const RmspropStep& step, const GradientTransformT<T>& gradient) {
  const T lr = static_cast<T>(step.lr), d = static_cast<T>(step.decay), one_minus_d = static_cast<T>(1 - step.decay),
          eps = static_cast<T>(step.eps), mu = static_cast<T>(step.momentum);
  parallel_for(n, kGrainElements, [=](std::int64_t begin, std::int64_t end) {
#pragma omp simd
    for (std::int64_t i = begin; i < end; ++i) {
      const T g = gradient(xp[i], dp[i]);
      cp[i] = d * cp[i] + one_minus_d * g * g;
      T second_moment = cp[i];
      if constexpr (Centered) {
        ap[i] = d * ap[i] + one_minus_d * g;
        second_moment -= ap[i] * ap[i];
      }
      const T scaled = g / (std::sqrt(second_moment) + eps);
      if constexpr (WithMomentum) {
        bp[i] = mu * bp[i] + scaled;
        xp[i] -= lr * bp[i];
      } else {
        xp[i] -= lr * scaled;
      }
    }
  });
}

}  // namespace

template <class T>
void rmsprop_update(std::span<T> x, std::span<const T> dx, std::span<T> cache, const RmspropStep& step,
                    const GradientTransform& transform, std::span<T> grad_avg, std::span<T> momentum_buffer) {
  detail::check_lengths("rmsprop_update", x.size(), {dx.size(), cache.size()});
  if (step.centered) detail::check_lengths("rmsprop_update (grad_avg)", x.size(), {grad_avg.size()});
  const bool with_momentum = step.momentum > 0;
  if (with_momentum) detail::check_lengths("rmsprop_update (momentum_buffer)", x.size(), {momentum_buffer.size()});
  const GradientTransformT<T> gradient(transform);
  const auto n = static_cast<std::int64_t>(x.size());
  T* const xp = x.data();
  const T* const dp = dx.data();
  T* const cp = cache.data();
  T* const ap = grad_avg.data();
  T* const bp = momentum_buffer.data();
  if (step.centered) {
    with_momentum ? rmsprop_pass<true, true>(xp, dp, cp, ap, bp, n, step, gradient)
                  : rmsprop_pass<true, false>(xp, dp, cp, ap, bp, n, step, gradient);
  } else {
    with_momentum ? rmsprop_pass<false, true>(xp, dp, cp, ap, bp, n, step, gradient)
                  : rmsprop_pass<false, false>(xp, dp, cp, ap, bp, n, step, gradient);
  }
}
template void rmsprop_update<float>(std::span<float>, std::span<const float>, std::span<float>, const RmspropStep&,
                                    const GradientTransform&, std::span<float>, std::span<float>);
template void rmsprop_update<double>(std::span<double>, std::span<const double>, std::span<double>,
                                     const RmspropStep&, const GradientTransform&, std::span<double>,
                                     std::span<double>);

std::vector<OptionSpec> Rmsprop::options() {
  return with_first_order_options({
      number_option("lr", 0.01, "learning rate", at_least(0)),
      number_option("decay", 0.99, "d: the fraction of the squared-gradient cache kept each step",
                    unit_interval_open_right()),
      number_option("eps", 1e-8, "added to sqrt(cache) to avoid division by zero", greater_than(0)),
      number_option("momentum", 0.0, "mu: buf = mu*buf + dx/(sqrt(cache)+eps); x -= lr*buf (0: no buffer)",
                    unit_interval_open_right()),
      boolean_option("centered", false, "divide by sqrt(cache - grad_avg^2) + eps, grad_avg the mean gradient"),
  });
}

Rmsprop::Rmsprop(std::vector<ParamGroup> groups, const Options& options)
    : FirstOrderOptimizer("rmsprop", Rmsprop::options(), std::move(groups), options) {
  declare_state({buffer_state("cache"), optional_buffer_state("grad_avg"), optional_buffer_state("momentum_buffer")});
}

void Rmsprop::update(const ParamGroup& group, const GradientTransform& transform, const Tensor& param,
                     const Tensor& grad, ParamState& state) {
  const Options& o = group.options;
  const RmspropStep step{o.number("lr"), o.number("decay"), o.number("eps"), o.number("momentum"),
                         o.boolean("centered")};
  const Tensor cache = state_buffer(state, "cache", param);
  const Tensor grad_avg = step.centered ? state_buffer(state, "grad_avg", param) : Tensor{};
  const Tensor momentum_buffer = step.momentum > 0 ? state_buffer(state, "momentum_buffer", param) : Tensor{};
  dispatch_floating(param.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const auto optional_span = [](const Tensor& t) { return t.defined() ? mutable_span<T>(t) : std::span<T>{}; };
    rmsprop_update<T>(mutable_span<T>(param), const_span<T>(grad), mutable_span<T>(cache), step, transform,
                      optional_span(grad_avg), optional_span(momentum_buffer));
  });
}

TAPEGRAD_REGISTER_OPTIMIZER(Rmsprop, "rmsprop",
                            "RMSProp: cache = d*cache + (1-d)*dx^2; x -= lr*dx/(sqrt(cache)+eps) (centered, momentum)");

}  // namespace tg::optim
