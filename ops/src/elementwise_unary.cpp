// Unary elementwise ops. Each op is a small struct (see unary_op.hpp for what it
// declares); unary_op<Op> runs it as an op of the op pattern (op_pattern.hpp).
#include <cmath>
#include <limits>

#include "kernels/eltwise.hpp"
#include "unary_entry.hpp"
#include "unary_op.hpp"
#include "tapegrad/ops/elementwise.hpp"
#include "tapegrad/ops/op_table.hpp"

namespace tg {

namespace {

using kernels::Eltwise;
using ops::Params;
using ops::unary_op;


struct Affine {
  static constexpr const char* name = "affine";
  static constexpr Eltwise alg = Eltwise::linear;
  static constexpr std::int64_t dnnl_min_elements = kernels::kCheapEltwiseMinElements;
  static constexpr bool saves_input = false, saves_output = false;
  template <class T> static T f(T x, Params p) { return static_cast<T>(p.alpha) * x + static_cast<T>(p.beta); }
  static std::pair<float, float> dnnl_params(Params p) { return {static_cast<float>(p.alpha), static_cast<float>(p.beta)}; }
  static Tensor backward(const Tensor& g, const Tensor&, const Tensor&, Params p) {
    return p.alpha == 1 ? g : affine(g, p.alpha, 0);
  }
};
struct Exp {
  static constexpr const char* name = "exp";
  static constexpr Eltwise alg = Eltwise::exp;
  static constexpr std::int64_t dnnl_min_elements = kernels::kTranscendentalMinElements;
  static constexpr bool saves_input = false, saves_output = true;
  template <class T> static T f(T x, Params) { return std::exp(x); }
  static Tensor backward(const Tensor& g, const Tensor&, const Tensor& y, Params) { return g * y; }
};
struct Log {
  static constexpr const char* name = "log";
  static constexpr Eltwise alg = Eltwise::log;
  static constexpr std::int64_t dnnl_min_elements = kernels::kTranscendentalMinElements;
  static constexpr bool saves_input = true, saves_output = false;
  template <class T> static T f(T x, Params) { return std::log(x); }
  static Tensor backward(const Tensor& g, const Tensor& x, const Tensor&, Params) { return g / x; }
};
struct Sqrt {
  static constexpr const char* name = "sqrt";
  static constexpr Eltwise alg = Eltwise::sqrt;
  static constexpr std::int64_t dnnl_min_elements = kernels::kTranscendentalMinElements;
  static constexpr bool saves_input = false, saves_output = true;
  template <class T> static T f(T x, Params) { return std::sqrt(x); }
  static Tensor backward(const Tensor& g, const Tensor&, const Tensor& y, Params) { return g / (y * 2.0); }
};
struct PowScalar {
  static constexpr const char* name = "pow";
  static constexpr Eltwise alg = Eltwise::pow;  // alpha * x^beta
  static constexpr std::int64_t dnnl_min_elements = kernels::kTranscendentalMinElements;
  static constexpr bool saves_input = true, saves_output = false;
  template <class T> static T f(T x, Params p) { return std::pow(x, static_cast<T>(p.alpha)); }
  static std::pair<float, float> dnnl_params(Params p) { return {1.f, static_cast<float>(p.alpha)}; }
  static bool nan_gives_nan(Params p) { return p.alpha != 0; }  // pow(NaN, 0) = 1
  static Tensor backward(const Tensor& g, const Tensor& x, const Tensor&, Params p) {
    if (p.alpha == 0) return g * 0.0;
    if (p.alpha == 1) return g;
    if (p.alpha == 2) return g * (x * 2.0);
    return g * (pow(x, p.alpha - 1) * p.alpha);
  }
};
struct Abs {
  static constexpr const char* name = "abs";
  static constexpr Eltwise alg = Eltwise::abs;
  static constexpr std::int64_t dnnl_min_elements = kernels::kCheapEltwiseMinElements;
  static constexpr bool saves_input = true, saves_output = false;
  template <class T> static T f(T x, Params) { return std::abs(x); }
  static Tensor backward(const Tensor& g, const Tensor& x, const Tensor&, Params) { return g * sign(x); }
};
struct Relu {
  static constexpr const char* name = "relu";
  static constexpr Eltwise alg = Eltwise::relu;
  // Always the loop: it keeps NaN in its one pass, where oneDNN's max(x, 0) needs a
  // second pass to restore them, which made it the slower of the two at every size.
  static constexpr std::int64_t dnnl_min_elements = std::numeric_limits<std::int64_t>::max();
  static constexpr bool saves_input = false, saves_output = true;
  // x != x: relu(NaN) is NaN, as in NumPy and PyTorch.
  template <class T> static T f(T x, Params) { return x > T(0) || x != x ? x : T(0); }
  static Tensor backward(const Tensor& g, const Tensor&, const Tensor& y, Params) {
    return ops::times_slope(g, y, 1, 0);
  }
};
struct Tanh {
  static constexpr const char* name = "tanh";
  static constexpr Eltwise alg = Eltwise::tanh;
  static constexpr std::int64_t dnnl_min_elements = kernels::kTranscendentalMinElements;
  static constexpr bool saves_input = false, saves_output = true;
  template <class T> static T f(T x, Params) { return std::tanh(x); }
  static Tensor backward(const Tensor& g, const Tensor&, const Tensor& y, Params) { return g * (1.0 - y * y); }
};
struct Sigmoid {
  static constexpr const char* name = "sigmoid";
  static constexpr Eltwise alg = Eltwise::logistic;
  static constexpr std::int64_t dnnl_min_elements = kernels::kTranscendentalMinElements;
  static constexpr bool saves_input = false, saves_output = true;
  template <class T> static T f(T x, Params) { return T(1) / (T(1) + std::exp(-x)); }
  static Tensor backward(const Tensor& g, const Tensor&, const Tensor& y, Params) { return g * (y * (1.0 - y)); }
};

// 1 where lo <= x <= hi, else 0 (not recorded).
Tensor inside_mask(const Tensor& x, double lo, double hi) {
  Tensor mask = empty(x.shape(), x.dtype());
  dispatch_floating(x.dtype(), [&](auto t) {
    using T = decltype(t);
    const T l = static_cast<T>(lo), h = static_cast<T>(hi);
    kernels::unary_loop<T>(x, mask, [l, h](T v) { return v >= l && v <= h ? T(1) : T(0); });
  });
  return mask;
}

struct Clamp {  // bounds in (alpha, beta)
  static constexpr const char* name = "clamp";
  static constexpr Eltwise alg = Eltwise::clip;
  static constexpr std::int64_t dnnl_min_elements = kernels::kCheapEltwiseMinElements;
  static constexpr bool saves_input = true, saves_output = false;
  template <class T> static T f(T x, Params p) {
    const T lo = static_cast<T>(p.alpha), hi = static_cast<T>(p.beta);
    return x < lo ? lo : (x > hi ? hi : x);
  }
  static std::pair<float, float> dnnl_params(Params p) { return {static_cast<float>(p.alpha), static_cast<float>(p.beta)}; }
  static Tensor backward(const Tensor& g, const Tensor& x, const Tensor&, Params p) {
    return g * inside_mask(x, p.alpha, p.beta);
  }
};

struct Square {
  static constexpr const char* name = "square";
  static constexpr Eltwise alg = Eltwise::square;
  static constexpr std::int64_t dnnl_min_elements = kernels::kCheapEltwiseMinElements;
  static constexpr bool saves_input = true, saves_output = false;
  template <class T> static T f(T x, Params) { return x * x; }
  static Tensor backward(const Tensor& g, const Tensor& x, const Tensor&, Params) { return g * (x * 2.0); }
};

struct Reciprocal {
  static constexpr const char* name = "reciprocal";
  static constexpr Eltwise alg = Eltwise::pow;  // alpha * x^beta
  static constexpr std::int64_t dnnl_min_elements = kernels::kCheapEltwiseMinElements;
  static constexpr bool saves_input = false, saves_output = true;
  template <class T> static T f(T x, Params) { return T(1) / x; }
  static std::pair<float, float> dnnl_params(Params) { return {1.f, -1.f}; }
  static Tensor backward(const Tensor& g, const Tensor&, const Tensor& y, Params) { return -(g * square(y)); }
};

struct Log1p {
  static constexpr const char* name = "log1p";
  // oneDNN has no log1p (log of 1 + x loses the small x): always the plain loop.
  static constexpr Eltwise alg = Eltwise::log;
  static constexpr std::int64_t dnnl_min_elements = std::numeric_limits<std::int64_t>::max();
  static constexpr bool saves_input = true, saves_output = false;
  template <class T> static T f(T x, Params) { return std::log1p(x); }
  static Tensor backward(const Tensor& g, const Tensor& x, const Tensor&, Params) { return g / (x + 1.0); }
};

}  // namespace

Tensor affine(const Tensor& x, double alpha, double beta) { return unary_op<Affine>(x, {alpha, beta}); }
Tensor exp(const Tensor& x) { return unary_op<Exp>(x); }
Tensor log(const Tensor& x) { return unary_op<Log>(x); }
Tensor sqrt(const Tensor& x) { return unary_op<Sqrt>(x); }
Tensor pow(const Tensor& x, double exponent) { return unary_op<PowScalar>(x, {exponent, 0}); }
Tensor abs(const Tensor& x) { return unary_op<Abs>(x); }
Tensor relu(const Tensor& x) { return unary_op<Relu>(x); }
Tensor tanh(const Tensor& x) { return unary_op<Tanh>(x); }
Tensor sigmoid(const Tensor& x) { return unary_op<Sigmoid>(x); }

namespace {

// An i64 tensor with a value is the binary op with an i64 scalar tensor (affine computes
// in floating point): defined for an integral value only.
Tensor integer_scalar(const char* op, const Tensor& x, double value) {
  TG_CHECK(std::isfinite(value) && value == std::trunc(value),
           "{}: an i64 tensor of shape {} with the non-integral value {} (convert it with .to(f64) first)", op,
           x.shape().str(), value);
  return scalar_tensor(value, i64);
}

}  // namespace

Tensor neg(const Tensor& x) { return x.dtype() == i64 ? sub(zeros({}, i64), x) : unary_op<Affine>(x, {-1, 0}, "neg"); }
Tensor operator-(const Tensor& x) { return neg(x); }
Tensor operator+(const Tensor& a, double b) {
  if (a.dtype() == i64) return add(a, integer_scalar("add", a, b));
  return unary_op<Affine>(a, {1, b}, "add");
}
Tensor operator-(const Tensor& a, double b) {
  if (a.dtype() == i64) return sub(a, integer_scalar("sub", a, b));
  return unary_op<Affine>(a, {1, -b}, "sub");
}
Tensor operator*(const Tensor& a, double b) {
  if (a.dtype() == i64) return mul(a, integer_scalar("mul", a, b));
  return unary_op<Affine>(a, {b, 0}, "mul");
}
Tensor operator/(const Tensor& a, double b) {
  TG_CHECK(b != 0, "div: division of a tensor of shape {} by the scalar 0", a.shape().str());
  return unary_op<Affine>(a, {1 / b, 0}, "div");
}
Tensor operator+(double a, const Tensor& b) { return b + a; }
Tensor operator-(double a, const Tensor& b) {
  if (b.dtype() == i64) return sub(integer_scalar("sub", b, a), b);
  return unary_op<Affine>(b, {-1, a}, "sub");
}
Tensor operator*(double a, const Tensor& b) { return b * a; }
Tensor operator/(double a, const Tensor& b) { return pow(b, -1.0) * a; }

Tensor sign(const Tensor& x) {
  ops::check_floating("sign", x);
  Tensor out = empty(x.shape(), x.dtype());
  dispatch_floating(x.dtype(), [&](auto t) {
    using T = decltype(t);
    kernels::unary_loop<T>(x, out, [](T v) { return static_cast<T>((v > T(0)) - (v < T(0))); });
  });
  return out;
}

Tensor clamp(const Tensor& x, double lo, double hi) {
  TG_CHECK(lo <= hi, "clamp: lo = {} is greater than hi = {}", lo, hi);
  return unary_op<Clamp>(x, {lo, hi});
}
Tensor square(const Tensor& x) { return unary_op<Square>(x); }
Tensor reciprocal(const Tensor& x) { return unary_op<Reciprocal>(x); }
Tensor log1p(const Tensor& x) { return unary_op<Log1p>(x); }

namespace ops {
Tensor slope_mask(const Tensor& x, double above, double below) {
  check_floating("slope_mask", x);
  Tensor out = empty(x.shape(), x.dtype());
  dispatch_floating(x.dtype(), [&](auto t) {
    using T = decltype(t);
    const T a = static_cast<T>(above), b = static_cast<T>(below);
    // Two selects, not a chain of branches: GCC keeps a branchy chain scalar, and this
    // mask runs over every activation of a training step.
    kernels::unary_loop<T>(x, out, [a, b](T e) {
      const T slope = e > T(0) ? a : b;
      return e == e ? slope : e;
    });
  });
  return out;
}

Tensor times_slope(const Tensor& g, const Tensor& x, double above, double below) {
  if (g.requires_grad() || g.shape() != x.shape() || g.dtype() != x.dtype()) return g * slope_mask(x, above, below);
  // A gradient nothing else holds (the usual case inside backward: the engine passes
  // it along and drops it) is overwritten: one activation-sized buffer less in flight.
  const bool exclusive = g.impl_ptr().use_count() == 1 && g.storage().use_count() == 1 && g.is_contiguous();
  Tensor out = exclusive ? g : empty(x.shape(), x.dtype());
  if (exclusive) out.bump_version();
  dispatch_floating(x.dtype(), [&](auto t) {
    using T = decltype(t);
    const T a = static_cast<T>(above), b = static_cast<T>(below);
    kernels::binary_loop<T>(g, x, out, [a, b](T grad, T e) {
      const T slope = e > T(0) ? a : b;
      return grad * (e == e ? slope : e);
    });
  });
  return out;
}
}  // namespace ops

// --- op table entries
namespace {

Tensor normal(Generator& g, const Shape& s) { return sample_normal(g, s); }
Tensor positive(Generator& g, const Shape& s) { return sample_positive(g, s); }
Tensor away(Generator& g, const Shape& s) { return sample_away_from_zero(g, s); }


Tensor neg_fn(const Tensor& x) { return -x; }
Tensor affine_fn(const Tensor& x) { return affine(x, -1.5, 0.25); }
Tensor pow_fn(const Tensor& x) { return pow(x, 2.5); }
Tensor pow_int_fn(const Tensor& x) { return pow(x, 3.0); }
Tensor rdiv_fn(const Tensor& x) { return 2.0 / x; }

const OpRegistration reg_neg(ops::elementwise_entry<neg_fn>("neg", normal));
const OpRegistration reg_affine(ops::elementwise_entry<affine_fn>("affine", normal));
const OpRegistration reg_exp(ops::elementwise_entry<exp>("exp", normal));
const OpRegistration reg_log(ops::elementwise_entry<log>("log", positive));
const OpRegistration reg_sqrt(ops::elementwise_entry<sqrt>("sqrt", positive));
const OpRegistration reg_pow(ops::elementwise_entry<pow_fn>("pow_scalar", positive));
const OpRegistration reg_pow_int(ops::elementwise_entry<pow_int_fn>("pow_scalar_int", normal));
const OpRegistration reg_rdiv(ops::elementwise_entry<rdiv_fn>("scalar_div", away));
const OpRegistration reg_abs(ops::elementwise_entry<abs>("abs", away, true));
const OpRegistration reg_relu(ops::elementwise_entry<relu>("relu", away, true));
const OpRegistration reg_tanh(ops::elementwise_entry<tanh>("tanh", normal));
const OpRegistration reg_sigmoid(ops::elementwise_entry<sigmoid>("sigmoid", normal));

constexpr double kClampLo = -0.8, kClampHi = 0.6;
Tensor clamp_fn(const Tensor& x) { return clamp(x, kClampLo, kClampHi); }
Tensor off_clamp_bounds(Generator& g, const Shape& s) {
  return keep_away_from(sample_normal(g, s), {kClampLo, kClampHi}, 0.05);
}
Tensor reciprocal_sample(Generator& g, const Shape& s) { return sample_away_from_zero(g, s, 0.3); }
Tensor log1p_sample(Generator& g, const Shape& s) { return sample_positive(g, s, -0.5, 2.0); }

const OpRegistration reg_clamp(ops::elementwise_entry<clamp_fn>("clamp", off_clamp_bounds, true));
const OpRegistration reg_square(ops::elementwise_entry<square>("square", normal));
const OpRegistration reg_reciprocal(ops::elementwise_entry<reciprocal>("reciprocal", reciprocal_sample));
// log1p always runs on the plain loop (oneDNN has none): no large samples.
const OpRegistration reg_log1p(ops::elementwise_entry<log1p>("log1p", log1p_sample, false, false));

}  // namespace

}  // namespace tg
