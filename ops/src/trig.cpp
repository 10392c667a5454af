// sin and cos. oneDNN 2.x has no trigonometric eltwise: both always run on the plain
// loop (f32 and f64). Their gradients are each other: sin' = cos, cos' = -sin.
#include <cmath>
#include <limits>

#include "kernels/eltwise.hpp"
#include "tapegrad/ops/elementwise.hpp"
#include "unary_entry.hpp"
#include "unary_op.hpp"

namespace tg {

namespace {

using ops::Params;

constexpr std::int64_t kNoDnnl = std::numeric_limits<std::int64_t>::max();

struct Sin {
  static constexpr const char* name = "sin";
  static constexpr kernels::Eltwise alg = kernels::Eltwise::linear;  // unused: never on oneDNN
  static constexpr std::int64_t dnnl_min_elements = kNoDnnl;
  static constexpr bool saves_input = true, saves_output = false;
  template <class T> static T f(T x, Params) { return std::sin(x); }
  static Tensor backward(const Tensor& g, const Tensor& x, const Tensor&, Params) { return g * cos(x); }
};

struct Cos {
  static constexpr const char* name = "cos";
  static constexpr kernels::Eltwise alg = kernels::Eltwise::linear;  // unused: never on oneDNN
  static constexpr std::int64_t dnnl_min_elements = kNoDnnl;
  static constexpr bool saves_input = true, saves_output = false;
  template <class T> static T f(T x, Params) { return std::cos(x); }
  static Tensor backward(const Tensor& g, const Tensor& x, const Tensor&, Params) { return -(g * sin(x)); }
};

}  // namespace

Tensor sin(const Tensor& x) { return ops::unary_op<Sin>(x); }
Tensor cos(const Tensor& x) { return ops::unary_op<Cos>(x); }

namespace {

Tensor normal(Generator& g, const Shape& s) { return sample_normal(g, s) * 2.0; }

const OpRegistration reg_sin(ops::elementwise_entry<sin>("sin", normal, false, false));
const OpRegistration reg_cos(ops::elementwise_entry<cos>("cos", normal, false, false));

}  // namespace

}  // namespace tg
