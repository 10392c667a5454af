// Activations: leaky_relu, elu, gelu (exact erf form). Forward through the generic
// unary op (oneDNN eltwise for large f32); gelu's gradient is an op of its own,
// gelu_backward, whose node differentiates it again.
#include <cmath>
#include <numbers>

#include "kernels/eltwise.hpp"
#include "kernels/elementwise_loops.hpp"
#include "op_pattern.hpp"
#include "tapegrad/ops/activations.hpp"
#include "tapegrad/ops/comparisons.hpp"
#include "tapegrad/ops/elementwise.hpp"
#include "tapegrad/ops/op_table.hpp"
#include "unary_entry.hpp"
#include "unary_op.hpp"

namespace tg {

namespace {

using kernels::Eltwise;
using ops::Params;
using ops::unary_op;

// Phi(x) = erfc(-x / sqrt 2) / 2 (erfc keeps its precision for x << 0, where
// 1 + erf(x / sqrt 2) cancels), phi(x) = exp(-x^2 / 2) / sqrt(2 pi).
template <class T> T normal_cdf(T x) { return T(0.5) * std::erfc(-x * static_cast<T>(std::numbers::sqrt2 / 2)); }
template <class T> T normal_pdf(T x) {
  return std::exp(T(-0.5) * x * x) * static_cast<T>(std::numbers::inv_sqrtpi / std::numbers::sqrt2);
}

struct LeakyRelu {  // slope in alpha
  static constexpr const char* name = "leaky_relu";
  static constexpr Eltwise alg = Eltwise::relu;  // alpha * x for x < 0
  static constexpr std::int64_t dnnl_min_elements = kernels::kCheapEltwiseMinElements;
  static constexpr bool saves_input = true, saves_output = false;
  // The product is computed unconditionally so the loop vectorizes (a conditional
  // multiply is not speculated: 10x slower on random signs).
  template <class T> static T f(T x, Params p) {
    const T scaled = static_cast<T>(p.alpha) * x;
    return x > T(0) ? x : scaled;
  }
  static std::pair<float, float> dnnl_params(Params p) { return {static_cast<float>(p.alpha), 0.f}; }
  static Tensor backward(const Tensor& g, const Tensor& x, const Tensor&, Params p) {
    return ops::times_slope(g, x, 1.0, p.alpha);
  }
};

struct Elu {  // alpha in alpha
  static constexpr const char* name = "elu";
  static constexpr Eltwise alg = Eltwise::elu;
  static constexpr std::int64_t dnnl_min_elements = kernels::kTranscendentalMinElements;
  static constexpr bool saves_input = true, saves_output = true;
  template <class T> static T f(T x, Params p) { return x > T(0) ? x : static_cast<T>(p.alpha) * std::expm1(x); }
  static std::pair<float, float> dnnl_params(Params p) { return {static_cast<float>(p.alpha), 0.f}; }
  // elu'(x) = alpha exp(x) = y + alpha for x <= 0: written with the saved output, so
  // the second derivative flows through y (and exp never overflows for large x).
  static Tensor backward(const Tensor& g, const Tensor& x, const Tensor& y, Params p) {
    return where(gt(x, 0.0), g, g * (y + p.alpha));
  }
};

struct Gelu {
  static constexpr const char* name = "gelu";
  static constexpr Eltwise alg = Eltwise::gelu_erf;
  static constexpr std::int64_t dnnl_min_elements = kernels::kTranscendentalMinElements;
  static constexpr bool saves_input = true, saves_output = false;
  template <class T> static T f(T x, Params) { return x * normal_cdf(x); }
  static Tensor backward(const Tensor& g, const Tensor& x, const Tensor&, Params) { return gelu_backward(g, x); }
};

// gelu'(x) = Phi(x) + x phi(x); gelu''(x) = phi(x) (2 - x^2).
// gelu'(x) g = g (Phi(x) + x phi(x)), an op of its own (inputs g, x; checked by
// gelu_backward). Its gradients: d/dg = gelu'(x) gg, d/dx = gg g phi(x) (2 - x^2).
struct GeluBackward {
  static constexpr const char* name = "gelu_backward";
  static constexpr std::size_t num_saved = 2;  // g, x
  Tensor forward(const Tensor& g, const Tensor& x) const {
    Tensor out = empty(x.shape(), x.dtype());
    dispatch_floating(x.dtype(), [&](auto t) {
      using T = decltype(t);
      kernels::binary_loop<T>(g, x, out, [](T gv, T xv) { return gv * (normal_cdf(xv) + xv * normal_pdf(xv)); });
    });
    return out;
  }
  void save(ops::OpContext& ctx, const Tensor& g, const Tensor& x, const Tensor&) const {
    ctx.save(0, g);
    ctx.save(1, x);
  }
  TensorList backward(const ops::OpContext& ctx, const Tensor& gg) const {
    const Tensor x = ctx.saved(1);
    TensorList out;
    out.resize(2);
    if (ctx.needs_input_grad(0)) out[0] = gelu_backward(gg, x);
    if (ctx.needs_input_grad(1)) {
      const Tensor pdf = exp(square(x) * -0.5) * (std::numbers::inv_sqrtpi / std::numbers::sqrt2);
      out[1] = gg * ctx.saved(0) * pdf * (2.0 - square(x));
    }
    return out;
  }
};

}  // namespace

Tensor leaky_relu(const Tensor& x, double slope) { return unary_op<LeakyRelu>(x, {slope, 0}); }
Tensor elu(const Tensor& x, double alpha) { return unary_op<Elu>(x, {alpha, 0}); }
Tensor gelu(const Tensor& x) { return unary_op<Gelu>(x); }

Tensor gelu_backward(const Tensor& g, const Tensor& x) {
  ops::check_floating("gelu_backward", x);
  ops::check_same_dtype("gelu_backward", g, x);
  TG_CHECK(g.shape() == x.shape(), "gelu_backward: gradient of shape {} for an input of shape {}", g.shape().str(),
           x.shape().str());
  return ops::apply(GeluBackward{}, g, x);
}

// --- op table entries
namespace {

Tensor normal(Generator& g, const Shape& s) { return sample_normal(g, s); }
Tensor away(Generator& g, const Shape& s) { return sample_away_from_zero(g, s); }


Tensor leaky_relu_fn(const Tensor& x) { return leaky_relu(x, 0.1); }
Tensor elu_fn(const Tensor& x) { return elu(x, 1.3); }

// leaky_relu has a kink at 0; elu (alpha != 1) a kink in its derivative there.
const OpRegistration reg_leaky_relu(ops::elementwise_entry<leaky_relu_fn>("leaky_relu", away, true));
const OpRegistration reg_elu(ops::elementwise_entry<elu_fn>("elu", away, true));
const OpRegistration reg_gelu(ops::elementwise_entry<gelu>("gelu", normal, false));

OpTableEntry gelu_backward_entry() {
  OpTableEntry e;
  e.name = "gelu_backward";
  e.fn = [](const std::vector<Tensor>& x) { return gelu_backward(x[0], x[1]); };
  e.samples = [](Generator& g) -> std::vector<OpSample> {
    return {{"[3, 4]", {sample_normal(g, {3, 4}), sample_normal(g, {3, 4})}},
            {"[2, 3] transposed views", {sample_normal(g, {3, 2}), sample_normal(g, {3, 2})}, {0, 1}},
            {"empty [0, 4]", {sample_normal(g, {0, 4}), sample_normal(g, {0, 4})}}};
  };
  return e;
}
const OpRegistration reg_gelu_backward(gelu_backward_entry());

}  // namespace

}  // namespace tg
