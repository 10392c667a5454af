// More elementwise ops: clamp, square, reciprocal and log1p (generic unary op), and the
// broadcasting maximum, minimum and where. Backward rules reduce each gradient to its
// input's shape with sum_to.
#include <cmath>
#include <limits>

#include "kernels/eltwise.hpp"
#include "kernels/elementwise_loops.hpp"
#include "op_util.hpp"
#include "tapegrad/ops/comparisons.hpp"
#include "tapegrad/ops/elementwise.hpp"
#include "tapegrad/ops/op_table.hpp"
#include "tapegrad/ops/random_ops.hpp"
#include "tapegrad/ops/reduce.hpp"
#include "unary_op.hpp"

namespace tg {

namespace {

using kernels::Eltwise;
using ops::Params;
using ops::unary_op;

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

// --- maximum and minimum

class MaxMinNode final : public Node {
 public:
  MaxMinNode(bool is_max, const Tensor& a, const Tensor& b) : is_max_(is_max), a_shape_(a.shape()), b_shape_(b.shape()) {}
  const char* name() const override { return is_max_ ? "maximum" : "minimum"; }
  TensorList apply(TensorList&& grads) override {
    const Tensor& g = grads[0];
    const Tensor a = a_.unpack(*this), b = b_.unpack(*this);
    // Share of the gradient going to a: 1 where a wins, 1/2 on ties, 0 where b wins.
    Tensor share = empty(broadcast_shapes(a.shape(), b.shape(), name()), a.dtype());
    dispatch_floating(a.dtype(), [&](auto t) {
      using T = decltype(t);
      const bool is_max = is_max_;
      kernels::binary_loop<T>(a, b, share, [is_max](T x, T y) {
        return x == y ? T(0.5) : ((is_max ? x > y : x < y) ? T(1) : T(0));
      });
    });
    TensorList out;
    out.resize(2);
    if (edges()[0].valid()) out[0] = sum_to(g * share, a_shape_);
    if (edges()[1].valid()) out[1] = sum_to(g * (1.0 - share), b_shape_);
    return out;
  }
  void release_saved() override {
    a_.release();
    b_.release();
  }
  SavedTensor a_, b_;

 private:
  bool is_max_;
  Shape a_shape_, b_shape_;
};

Tensor max_min(bool is_max, const Tensor& a, const Tensor& b) {
  const char* name = is_max ? "maximum" : "minimum";
  ops::check_floating(name, a);
  ops::check_same_dtype(name, a, b);
  Tensor out = empty(broadcast_shapes(a.shape(), b.shape(), name), a.dtype());
  kernels::binary(is_max ? kernels::Binary::max : kernels::Binary::min, a, b, out);
  if (auto node = ops::record<MaxMinNode>(out, {&a, &b}, is_max, a, b)) {
    node->a_ = SavedTensor(a, false);
    node->b_ = SavedTensor(b, false);
  }
  ops::check_forward(name, out);
  return out;
}

// --- where

// The broadcast shape of mask, a and b, or an error naming all three.
Shape where_shape(const Shape& m, const Shape& a, const Shape& b) {
  const int rank = std::max({m.size(), a.size(), b.size()});
  Shape out;
  out.resize(rank);
  for (int i = 0; i < rank; ++i) {
    auto dim = [&](const Shape& s) { return i - rank + s.size() >= 0 ? s[i - rank + s.size()] : 1; };
    const std::int64_t dm = dim(m), da = dim(a), db = dim(b);
    std::int64_t d = 1;  // a size-1 dim stretches to the others' size, 0 included (NumPy)
    for (std::int64_t x : {dm, da, db})
      if (x != 1) d = x;
    TG_CHECK((dm == d || dm == 1) && (da == d || da == 1) && (db == d || db == 1),
             "where: mask {}, a {} and b {} cannot be broadcast together (dim {} is {}, {} and {})", m.str(),
             a.str(), b.str(), i, dm, da, db);
    out[i] = d;
  }
  return out;
}

// out = mask != 0 ? a : b; mask of dtype M, values of dtype T.
template <class M, class T>
void where_kernel(const Tensor& mask, const Tensor& a, const Tensor& b, const Tensor& out) {
  for_each_strided<4>(out.shape(), strided_operands<4>(out.shape(), {&out, &mask, &a, &b}),
                      [](std::array<char*, 4> p, std::array<std::int64_t, 4> st, std::int64_t n) {
                        for (std::int64_t i = 0; i < n; ++i) {
                          const bool take_a = *reinterpret_cast<const M*>(p[1] + i * st[1]) != M(0);
                          *reinterpret_cast<T*>(p[0] + i * st[0]) =
                              *reinterpret_cast<const T*>(take_a ? p[2] + i * st[2] : p[3] + i * st[3]);
                        }
                      });
}

class WhereNode final : public Node {
 public:
  WhereNode(const Tensor& a, const Tensor& b) : a_shape_(a.shape()), b_shape_(b.shape()) {}
  const char* name() const override { return "where"; }
  TensorList apply(TensorList&& grads) override {
    const Tensor& g = grads[0];
    const Tensor mask = mask_.unpack(*this);
    const Tensor zero = zeros(Shape{}, g.dtype());
    TensorList out;
    out.resize(3);  // none for the mask
    if (edges()[1].valid()) out[1] = sum_to(where(mask, g, zero), a_shape_);
    if (edges()[2].valid()) out[2] = sum_to(where(mask, zero, g), b_shape_);
    return out;
  }
  void release_saved() override { mask_.release(); }
  SavedTensor mask_;

 private:
  Shape a_shape_, b_shape_;
};

}  // namespace

Tensor clamp(const Tensor& x, double lo, double hi) {
  TG_CHECK(lo <= hi, "clamp: lo = {} is greater than hi = {}", lo, hi);
  return unary_op<Clamp>(x, {lo, hi});
}
Tensor square(const Tensor& x) { return unary_op<Square>(x); }
Tensor reciprocal(const Tensor& x) { return unary_op<Reciprocal>(x); }
Tensor log1p(const Tensor& x) { return unary_op<Log1p>(x); }

Tensor maximum(const Tensor& a, const Tensor& b) { return max_min(true, a, b); }
Tensor minimum(const Tensor& a, const Tensor& b) { return max_min(false, a, b); }

Tensor where(const Tensor& mask, const Tensor& a, const Tensor& b) {
  ops::check_same_dtype("where", a, b);
  Tensor out = empty(where_shape(mask.shape(), a.shape(), b.shape()), a.dtype());
  dispatch_dtype(mask.dtype(), [&](auto m) {
    dispatch_dtype(a.dtype(), [&](auto t) { where_kernel<decltype(m), decltype(t)>(mask, a, b, out); });
  });
  if (auto node = ops::record<WhereNode>(out, {&mask, &a, &b}, a, b)) node->mask_ = SavedTensor(mask, false);
  ops::check_forward("where", out);
  return out;
}

// --- op table entries
namespace {

// Moves each value of x (f64, contiguous) up in steps of `margin` until it is at least
// `margin` away from every point: keeps samples off kinks.
Tensor keep_away(Tensor x, const std::vector<double>& points, double margin) {
  double* p = x.data<double>();
  for (std::int64_t i = 0; i < x.numel(); ++i)
    while (std::any_of(points.begin(), points.end(), [&](double q) { return std::abs(p[i] - q) < margin; }))
      p[i] += margin;
  return x;
}

OpTableEntry unary_entry(const char* name, std::function<Tensor(const Tensor&)> fn,
                         std::function<Tensor(Generator&, const Shape&)> make, bool kinks, bool large) {
  OpTableEntry e;
  e.name = name;
  e.fn = [fn](const std::vector<Tensor>& x) { return fn(x[0]); };
  e.samples = [make](Generator& g) -> std::vector<OpSample> {
    return {{"[5]", {make(g, Shape{5})}},
            {"[3, 4]", {make(g, Shape{3, 4})}},
            {"scalar []", {make(g, Shape{})}},
            {"[1, 7]", {make(g, Shape{1, 7})}},
            {"[2, 3, 2] transposed view", {make(g, Shape{2, 2, 3})}, {0}},
            {"empty [0, 3]", {make(g, Shape{0, 3})}}};
  };
  if (large) {  // 76800 elements: above every oneDNN eltwise threshold
    e.large_samples = [make](Generator& g) -> std::vector<OpSample> {
      return {{"[300, 256]", {make(g, Shape{300, 256})}},
              {"[256, 300] transposed view", {make(g, Shape{300, 256})}, {0}},
              {"empty [0, 256]", {make(g, Shape{0, 256})}}};
    };
  }
  e.has_kinks = kinks;
  return e;
}

constexpr double kClampLo = -0.8, kClampHi = 0.6;

const OpRegistration reg_clamp(unary_entry(
    "clamp", [](const Tensor& x) { return clamp(x, kClampLo, kClampHi); },
    [](Generator& g, const Shape& s) { return keep_away(sample_normal(g, s), {kClampLo, kClampHi}, 0.05); }, true, true));
const OpRegistration reg_square(unary_entry("square", square, sample_normal, false, true));
const OpRegistration reg_reciprocal(unary_entry(
    "reciprocal", reciprocal, [](Generator& g, const Shape& s) { return sample_away_from_zero(g, s, 0.3); }, false, true));
const OpRegistration reg_log1p(unary_entry(
    "log1p", log1p, [](Generator& g, const Shape& s) { return sample_positive(g, s, -0.5, 2.0); }, false, false));

// b's values kept 0.05 away from every value of a: no ties, no crossed kinks.
std::vector<Tensor> distinct_pair(Generator& g, const Shape& sa, const Shape& sb) {
  Tensor a = sample_normal(g, sa);
  return {a, keep_away(sample_normal(g, sb), a.to_vector<double>(), 0.05)};
}

OpTableEntry max_min_entry(const char* name, Tensor (*fn)(const Tensor&, const Tensor&)) {
  OpTableEntry e;
  e.name = name;
  e.fn = [fn](const std::vector<Tensor>& x) { return fn(x[0], x[1]); };
  e.samples = [](Generator& g) -> std::vector<OpSample> {
    return {{"same [3, 4]", distinct_pair(g, {3, 4}, {3, 4})},
            {"broadcast [3, 1] x [4]", distinct_pair(g, {3, 1}, {4})},
            {"broadcast [1] x [2, 3]", distinct_pair(g, {1}, {2, 3})},
            {"scalar [] x [5]", distinct_pair(g, {}, {5})},
            {"transposed view [3, 2]", distinct_pair(g, {2, 3}, {3, 2}), {0}},
            {"empty [0, 4] x [4]", distinct_pair(g, {0, 4}, {4})},
            {"broadcast to empty [3, 1] x [0]", distinct_pair(g, {3, 1}, {0})}};
  };
  e.has_kinks = true;
  e.large_samples = [](Generator& g) -> std::vector<OpSample> {  // oneDNN from 1M elements
    return {{"[1024, 1024] x [1024]", {sample_normal(g, {1024, 1024}), sample_normal(g, {1024})}},
            {"[1024] x [1024, 1024]", {sample_normal(g, {1024}), sample_normal(g, {1024, 1024})}},
            {"transposed [1024, 1024] x [1024, 1024]", {sample_normal(g, {1024, 1024}), sample_normal(g, {1024, 1024})}, {0}},
            {"empty [1024, 0] x [1024, 1]", {sample_normal(g, {1024, 0}), sample_normal(g, {1024, 1})}}};
  };
  return e;
}
const OpRegistration reg_maximum(max_min_entry("maximum", maximum));
const OpRegistration reg_minimum(max_min_entry("minimum", minimum));

OpTableEntry where_entry() {
  OpTableEntry e;
  e.name = "where";
  e.fn = [](const std::vector<Tensor>& x) { return where(x[0], x[1], x[2]); };
  // i64 masks (gradcheck passes them through unchecked).
  e.samples = [](Generator& g) -> std::vector<OpSample> {
    auto mask = [&g](const Shape& s) { return bernoulli(s, 0.5, i64, &g); };
    return {{"same [3, 4]", {mask({3, 4}), sample_normal(g, {3, 4}), sample_normal(g, {3, 4})}},
            {"mask [3, 1], a [4], b [3, 4]", {mask({3, 1}), sample_normal(g, {4}), sample_normal(g, {3, 4})}},
            {"mask [2, 3], a [], b [1, 3]", {mask({2, 3}), sample_normal(g, {}), sample_normal(g, {1, 3})}},
            {"a transposed view [3, 2]", {mask({3, 2}), sample_normal(g, {2, 3}), sample_normal(g, {3, 2})}, {1}},
            {"empty mask [0, 3], a [3], b [1, 3]", {mask({0, 3}), sample_normal(g, {3}), sample_normal(g, {1, 3})}}};
  };
  return e;
}
const OpRegistration reg_where(where_entry());

}  // namespace

}  // namespace tg
