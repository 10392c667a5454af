// Unary elementwise ops. Each op is a small struct (see unary_op.hpp for what it
// declares); unary_op<Op> does the dispatch, recording and checks.
#include <cmath>

#include "backend/dnnl_backend.hpp"
#include "unary_op.hpp"
#include "tapegrad/ops/elementwise.hpp"
#include "tapegrad/ops/op_table.hpp"

namespace tg {

namespace {

using dnnl::algorithm;
using ops::Params;
using ops::unary_op;


struct Affine {
  static constexpr const char* name = "affine";
  static constexpr algorithm alg = algorithm::eltwise_linear;
  static constexpr std::int64_t dnnl_min_elements = backend::kCheapEltwiseMinElements;
  static constexpr bool saves_input = false, saves_output = false;
  template <class T> static T f(T x, Params p) { return static_cast<T>(p.alpha) * x + static_cast<T>(p.beta); }
  static std::pair<float, float> dnnl_params(Params p) { return {static_cast<float>(p.alpha), static_cast<float>(p.beta)}; }
  static Tensor backward(const Tensor& g, const Tensor&, const Tensor&, Params p) {
    return p.alpha == 1 ? g : affine(g, p.alpha, 0);
  }
};
struct Exp {
  static constexpr const char* name = "exp";
  static constexpr algorithm alg = algorithm::eltwise_exp;
  static constexpr std::int64_t dnnl_min_elements = backend::kTranscendentalMinElements;
  static constexpr bool saves_input = false, saves_output = true;
  template <class T> static T f(T x, Params) { return std::exp(x); }
  static Tensor backward(const Tensor& g, const Tensor&, const Tensor& y, Params) { return g * y; }
};
struct Log {
  static constexpr const char* name = "log";
  static constexpr algorithm alg = algorithm::eltwise_log;
  static constexpr std::int64_t dnnl_min_elements = backend::kTranscendentalMinElements;
  static constexpr bool saves_input = true, saves_output = false;
  template <class T> static T f(T x, Params) { return std::log(x); }
  static Tensor backward(const Tensor& g, const Tensor& x, const Tensor&, Params) { return g / x; }
};
struct Sqrt {
  static constexpr const char* name = "sqrt";
  static constexpr algorithm alg = algorithm::eltwise_sqrt;
  static constexpr std::int64_t dnnl_min_elements = backend::kTranscendentalMinElements;
  static constexpr bool saves_input = false, saves_output = true;
  template <class T> static T f(T x, Params) { return std::sqrt(x); }
  static Tensor backward(const Tensor& g, const Tensor&, const Tensor& y, Params) { return g / (y * 2.0); }
};
struct PowScalar {
  static constexpr const char* name = "pow";
  static constexpr algorithm alg = algorithm::eltwise_pow;  // alpha * x^beta
  static constexpr std::int64_t dnnl_min_elements = backend::kTranscendentalMinElements;
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
  static constexpr algorithm alg = algorithm::eltwise_abs;
  static constexpr std::int64_t dnnl_min_elements = backend::kCheapEltwiseMinElements;
  static constexpr bool saves_input = true, saves_output = false;
  template <class T> static T f(T x, Params) { return std::abs(x); }
  static Tensor backward(const Tensor& g, const Tensor& x, const Tensor&, Params) { return g * sign(x); }
};
struct Relu {
  static constexpr const char* name = "relu";
  static constexpr algorithm alg = algorithm::eltwise_relu;
  static constexpr std::int64_t dnnl_min_elements = backend::kCheapEltwiseMinElements;
  static constexpr bool saves_input = false, saves_output = true;
  // x != x: relu(NaN) is NaN, as in NumPy and PyTorch.
  template <class T> static T f(T x, Params) { return x > T(0) || x != x ? x : T(0); }
  static Tensor backward(const Tensor& g, const Tensor&, const Tensor& y, Params) {
    return g * ops::slope_mask(y, 1, 0);
  }
};
struct Tanh {
  static constexpr const char* name = "tanh";
  static constexpr algorithm alg = algorithm::eltwise_tanh;
  static constexpr std::int64_t dnnl_min_elements = backend::kTranscendentalMinElements;
  static constexpr bool saves_input = false, saves_output = true;
  template <class T> static T f(T x, Params) { return std::tanh(x); }
  static Tensor backward(const Tensor& g, const Tensor&, const Tensor& y, Params) { return g * (1.0 - y * y); }
};
struct Sigmoid {
  static constexpr const char* name = "sigmoid";
  static constexpr algorithm alg = algorithm::eltwise_logistic;
  static constexpr std::int64_t dnnl_min_elements = backend::kTranscendentalMinElements;
  static constexpr bool saves_input = false, saves_output = true;
  template <class T> static T f(T x, Params) { return T(1) / (T(1) + std::exp(-x)); }
  static Tensor backward(const Tensor& g, const Tensor&, const Tensor& y, Params) { return g * (y * (1.0 - y)); }
};

}  // namespace

Tensor affine(const Tensor& x, double alpha, double beta) { return unary_op<Affine>(x, {alpha, beta}); }
Tensor neg(const Tensor& x) { return unary_op<Affine>(x, {-1, 0}, "neg"); }
Tensor exp(const Tensor& x) { return unary_op<Exp>(x); }
Tensor log(const Tensor& x) { return unary_op<Log>(x); }
Tensor sqrt(const Tensor& x) { return unary_op<Sqrt>(x); }
Tensor pow(const Tensor& x, double exponent) { return unary_op<PowScalar>(x, {exponent, 0}); }
Tensor abs(const Tensor& x) { return unary_op<Abs>(x); }
Tensor relu(const Tensor& x) { return unary_op<Relu>(x); }
Tensor tanh(const Tensor& x) { return unary_op<Tanh>(x); }
Tensor sigmoid(const Tensor& x) { return unary_op<Sigmoid>(x); }

Tensor operator-(const Tensor& x) { return neg(x); }
Tensor operator+(const Tensor& a, double b) { return unary_op<Affine>(a, {1, b}, "add"); }
Tensor operator-(const Tensor& a, double b) { return unary_op<Affine>(a, {1, -b}, "sub"); }
Tensor operator*(const Tensor& a, double b) { return unary_op<Affine>(a, {b, 0}, "mul"); }
Tensor operator/(const Tensor& a, double b) {
  TG_CHECK(b != 0, "div: division of a tensor of shape {} by the scalar 0", a.shape().str());
  return unary_op<Affine>(a, {1 / b, 0}, "div");
}
Tensor operator+(double a, const Tensor& b) { return b + a; }
Tensor operator-(double a, const Tensor& b) { return unary_op<Affine>(b, {-1, a}, "sub"); }
Tensor operator*(double a, const Tensor& b) { return b * a; }
Tensor operator/(double a, const Tensor& b) { return pow(b, -1.0) * a; }

Tensor sign(const Tensor& x) {
  ops::check_floating("sign", x);
  Tensor out = empty(x.shape(), x.dtype());
  dispatch_floating(x.dtype(), [&](auto t) {
    using T = decltype(t);
    ops::unary_loop<T>(x, out, [](T v) { return static_cast<T>((v > T(0)) - (v < T(0))); });
  });
  return out;
}

Tensor greater(const Tensor& x, double value) {
  ops::check_floating("greater", x);
  Tensor out = empty(x.shape(), x.dtype());
  dispatch_floating(x.dtype(), [&](auto t) {
    using T = decltype(t);
    const T v = static_cast<T>(value);
    ops::unary_loop<T>(x, out, [v](T e) { return e > v ? T(1) : T(0); });
  });
  return out;
}

namespace ops {
Tensor slope_mask(const Tensor& x, double above, double below) {
  check_floating("slope_mask", x);
  Tensor out = empty(x.shape(), x.dtype());
  dispatch_floating(x.dtype(), [&](auto t) {
    using T = decltype(t);
    const T a = static_cast<T>(above), b = static_cast<T>(below);
    // Two selects, not a chain of branches: GCC keeps a branchy chain scalar, and this
    // mask runs over every activation of a training step.
    unary_loop<T>(x, out, [a, b](T e) {
      const T slope = e > T(0) ? a : b;
      return e == e ? slope : e;
    });
  });
  return out;
}
}  // namespace ops

// --- op table entries
namespace {

std::vector<OpSample> unary_samples(Generator& gen, Tensor (*make)(Generator&, const Shape&)) {
  std::vector<OpSample> s;
  s.push_back({"[5]", {make(gen, Shape{5})}});
  s.push_back({"[3, 4]", {make(gen, Shape{3, 4})}});
  s.push_back({"scalar []", {make(gen, Shape{})}});
  s.push_back({"[2, 3, 2] transposed view", {make(gen, Shape{2, 2, 3})}, {0}});
  s.push_back({"empty [0, 3]", {make(gen, Shape{0, 3})}});
  s.push_back({"empty [3, 0] transposed view", {make(gen, Shape{0, 3})}, {0}});
  return s;
}

Tensor normal(Generator& g, const Shape& s) { return sample_normal(g, s); }
Tensor positive(Generator& g, const Shape& s) { return sample_positive(g, s); }
Tensor away(Generator& g, const Shape& s) { return sample_away_from_zero(g, s); }

template <Tensor (*Fn)(const Tensor&)>
OpTableEntry unary_entry(const char* name, Tensor (*make)(Generator&, const Shape&), bool kinks = false) {
  OpTableEntry e;
  e.name = name;
  e.fn = [](const std::vector<Tensor>& x) { return Fn(x[0]); };
  e.samples = [make](Generator& g) { return unary_samples(g, make); };
  e.large_samples = [make](Generator& g) -> std::vector<OpSample> {
    return {{"[300, 256]", {make(g, Shape{300, 256})}},
            {"[256, 300] transposed view", {make(g, Shape{300, 256})}, {0}},
            {"empty [0, 256]", {make(g, Shape{0, 256})}}};
  };
  e.has_kinks = kinks;
  return e;
}

Tensor neg_fn(const Tensor& x) { return -x; }
Tensor affine_fn(const Tensor& x) { return affine(x, -1.5, 0.25); }
Tensor pow_fn(const Tensor& x) { return pow(x, 2.5); }
Tensor pow_int_fn(const Tensor& x) { return pow(x, 3.0); }
Tensor rdiv_fn(const Tensor& x) { return 2.0 / x; }

const OpRegistration reg_neg(unary_entry<neg_fn>("neg", normal));
const OpRegistration reg_affine(unary_entry<affine_fn>("affine", normal));
const OpRegistration reg_exp(unary_entry<exp>("exp", normal));
const OpRegistration reg_log(unary_entry<log>("log", positive));
const OpRegistration reg_sqrt(unary_entry<sqrt>("sqrt", positive));
const OpRegistration reg_pow(unary_entry<pow_fn>("pow_scalar", positive));
const OpRegistration reg_pow_int(unary_entry<pow_int_fn>("pow_scalar_int", normal));
const OpRegistration reg_rdiv(unary_entry<rdiv_fn>("scalar_div", away));
const OpRegistration reg_abs(unary_entry<abs>("abs", away, true));
const OpRegistration reg_relu(unary_entry<relu>("relu", away, true));
const OpRegistration reg_tanh(unary_entry<tanh>("tanh", normal));
const OpRegistration reg_sigmoid(unary_entry<sigmoid>("sigmoid", normal));

}  // namespace

}  // namespace tg
