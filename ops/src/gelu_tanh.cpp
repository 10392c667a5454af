// GELU's tanh approximation (Hendrycks & Gimpel 2016; PyTorch's approximate = "tanh"):
//   gelu_tanh(x) = x/2 (1 + tanh(u)),  u = k (x + c x^3),  k = sqrt(2/pi), c = 0.044715.
// f32 runs on oneDNN's gelu_tanh above the transcendental threshold. The gradient,
//   gelu_tanh'(x) = (1 + t)/2 + x/2 (1 - t^2) k (1 + 3 c x^2),  t = tanh(u),
// is written with tapegrad ops, so it is differentiable again. docs/formulas.md, Activations.
#include <cmath>
#include <numbers>
#include <string_view>

#include "kernels/eltwise.hpp"
#include "tapegrad/ops/activations.hpp"
#include "tapegrad/ops/elementwise.hpp"
#include "unary_entry.hpp"
#include "unary_op.hpp"

namespace tg {

namespace {

using ops::Params;

constexpr double kSqrt2OverPi = std::numbers::sqrt2 * std::numbers::inv_sqrtpi;  // sqrt(2 / pi)
constexpr double kCubic = 0.044715;

struct GeluTanh {
  static constexpr const char* name = "gelu";
  static constexpr kernels::Eltwise alg = kernels::Eltwise::gelu_tanh;
  static constexpr std::int64_t dnnl_min_elements = kernels::kTranscendentalMinElements;
  static constexpr bool saves_input = true, saves_output = false;
  template <class T> static T f(T x, Params) {
    const T u = static_cast<T>(kSqrt2OverPi) * (x + static_cast<T>(kCubic) * x * x * x);
    return T(0.5) * x * (T(1) + std::tanh(u));
  }
  static Tensor backward(const Tensor& g, const Tensor& x, const Tensor&, Params) {
    const Tensor x2 = square(x);
    const Tensor t = tanh(x * kSqrt2OverPi + x * x2 * (kSqrt2OverPi * kCubic));
    const Tensor du = x2 * (3 * kCubic * kSqrt2OverPi) + kSqrt2OverPi;  // k (1 + 3 c x^2)
    return g * ((t + 1.0) * 0.5 + x * (1.0 - square(t)) * du * 0.5);
  }
};

Tensor gelu_tanh(const Tensor& x) { return ops::unary_op<GeluTanh>(x); }

}  // namespace

Tensor gelu(const Tensor& x, std::string_view approximate) {
  if (approximate == "none") return gelu(x);
  TG_CHECK(approximate == "tanh", "gelu: approximate must be \"none\" or \"tanh\", got \"{}\"", approximate);
  return gelu_tanh(x);
}

namespace {

Tensor normal(Generator& g, const Shape& s) { return sample_normal(g, s) * 2.0; }

const OpRegistration reg_gelu_tanh(ops::elementwise_entry<gelu_tanh>("gelu_tanh", normal, false, true));

}  // namespace

}  // namespace tg
