// softplus(x; beta, threshold) = log(1 + exp(beta x)) / beta, and x where
// beta x > threshold (PyTorch's definition: linear above the threshold, where the two
// differ by less than exp(-threshold) / beta). docs/formulas.md, Activations.
//
// f32 runs on oneDNN's soft_relu (log(1 + e^x), which has no beta in oneDNN 2.x) for
// beta = 1 and a threshold of 20 or more, where switching to x changes an f32 result
// by less than its rounding; any other (beta, threshold) runs on the plain loop.
#include <cmath>
#include <limits>

#include "kernels/eltwise.hpp"
#include "tapegrad/ops/activations.hpp"
#include "tapegrad/ops/comparisons.hpp"
#include "tapegrad/ops/elementwise.hpp"
#include "unary_entry.hpp"
#include "unary_op.hpp"

namespace tg {

namespace {

using ops::Params;

// beta in alpha, threshold in beta. OneDnn: whether large f32 inputs take oneDNN.
template <bool OneDnn>
struct Softplus {
  static constexpr const char* name = "softplus";
  static constexpr kernels::Eltwise alg = kernels::Eltwise::soft_relu;
  static constexpr std::int64_t dnnl_min_elements =
      OneDnn ? kernels::kTranscendentalMinElements : std::numeric_limits<std::int64_t>::max();
  static constexpr bool saves_input = true, saves_output = false;
  template <class T> static T f(T x, Params p) {
    const T bx = static_cast<T>(p.alpha) * x;
    return bx > static_cast<T>(p.beta) ? x : std::log1p(std::exp(bx)) / static_cast<T>(p.alpha);
  }
  // softplus'(x) = sigmoid(beta x) below the threshold, 1 above.
  static Tensor backward(const Tensor& g, const Tensor& x, const Tensor&, Params p) {
    const Tensor bx = x * p.alpha;
    return where(gt(bx, p.beta), g, g * sigmoid(bx));
  }
};

constexpr double kOneDnnThreshold = 20;

}  // namespace

Tensor softplus(const Tensor& x, double beta, double threshold) {
  TG_CHECK(beta > 0 && std::isfinite(beta), "softplus: beta must be positive and finite, got {}", beta);
  TG_CHECK(!std::isnan(threshold), "softplus: threshold must be a number, got {}", threshold);
  const Params p{beta, threshold};
  if (beta == 1 && threshold >= kOneDnnThreshold) return ops::unary_op<Softplus<true>>(x, p);
  return ops::unary_op<Softplus<false>>(x, p);
}

namespace {

Tensor normal(Generator& g, const Shape& s) { return sample_normal(g, s) * 2.0; }
// beta = 2, threshold = 1: the switch to x at x = 0.5 is a (small) jump.
Tensor off_switch(Generator& g, const Shape& s) { return keep_away_from(sample_normal(g, s), {0.5}, 0.05); }

Tensor softplus_default(const Tensor& x) { return softplus(x); }
Tensor softplus_beta2(const Tensor& x) { return softplus(x, 2.0, 1.0); }

const OpRegistration reg_softplus(ops::elementwise_entry<softplus_default>("softplus", normal, false, true));
const OpRegistration reg_softplus_beta(ops::elementwise_entry<softplus_beta2>("softplus_beta2_threshold1", off_switch, true, false));

}  // namespace

}  // namespace tg
