// Elementwise selection with NumPy broadcasting: maximum, minimum and where. Each output
// element is taken from one input, and its gradient goes back to that input (split
// half/half on ties for maximum and minimum); sum_to reduces it to the input's shape.
#include <algorithm>

#include "kernels/eltwise.hpp"
#include "kernels/elementwise_loops.hpp"
#include "op_pattern.hpp"
#include "tapegrad/ops/elementwise.hpp"
#include "tapegrad/ops/op_table.hpp"
#include "tapegrad/ops/random_ops.hpp"
#include "tapegrad/ops/reduce.hpp"
#include "tapegrad/tensor_iteration.hpp"

namespace tg {

namespace {

// --- maximum and minimum

// maximum (IsMax) or minimum; inputs a, b (same dtype, broadcast).
template <bool IsMax>
struct MaxMin {
  static constexpr const char* name = IsMax ? "maximum" : "minimum";
  static constexpr std::size_t num_saved = 2;  // a, b
  Shape a_shape{}, b_shape{};  // set by save

  Tensor forward(const Tensor& a, const Tensor& b) const {
    // Defined on i64 as well (never recorded: an i64 tensor cannot require grad).
    ops::check_same_dtype(name, a, b);
    Tensor out = empty(broadcast_shapes(a.shape(), b.shape(), name), a.dtype());
    kernels::binary(IsMax ? kernels::Binary::max : kernels::Binary::min, a, b, out);
    return out;
  }
  void save(ops::OpContext& ctx, const Tensor& a, const Tensor& b, const Tensor&) {
    a_shape = a.shape();
    b_shape = b.shape();
    ctx.save(0, a);
    ctx.save(1, b);
  }
  TensorList backward(const ops::OpContext& ctx, const Tensor& g) const {
    const Tensor a = ctx.saved(0), b = ctx.saved(1);
    // Share of the gradient going to a: 1 where a wins, 1/2 on ties, 0 where b wins.
    Tensor share = empty(broadcast_shapes(a.shape(), b.shape(), name), a.dtype());
    dispatch_floating(a.dtype(), [&](auto t) {
      using T = decltype(t);
      kernels::binary_loop<T>(a, b, share, [](T x, T y) {
        return x == y ? T(0.5) : ((IsMax ? x > y : x < y) ? T(1) : T(0));
      });
    });
    return ops::grads(ctx.needs_input_grad(0) ? sum_to(g * share, a_shape) : Tensor{},
                      ctx.needs_input_grad(1) ? sum_to(g * (1.0 - share), b_shape) : Tensor{});
  }
};

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

// Inputs mask, a, b (broadcast together; checked by where). The mask gets no gradient.
struct Where {
  static constexpr const char* name = "where";
  static constexpr std::size_t num_saved = 1;  // the mask
  Shape a_shape{}, b_shape{};  // set by save

  Tensor forward(const Tensor& mask, const Tensor& a, const Tensor& b) const {
    Tensor out = empty(where_shape(mask.shape(), a.shape(), b.shape()), a.dtype());
    dispatch_dtype(mask.dtype(), [&](auto m) {
      dispatch_dtype(a.dtype(), [&](auto t) { where_kernel<decltype(m), decltype(t)>(mask, a, b, out); });
    });
    return out;
  }
  void save(ops::OpContext& ctx, const Tensor& mask, const Tensor& a, const Tensor& b, const Tensor&) {
    a_shape = a.shape();
    b_shape = b.shape();
    ctx.save(0, mask);
  }
  TensorList backward(const ops::OpContext& ctx, const Tensor& g) const {
    const Tensor mask = ctx.saved(0);
    const Tensor zero = zeros(Shape{}, g.dtype());
    TensorList out;
    out.resize(3);
    if (ctx.needs_input_grad(1)) out[1] = sum_to(where(mask, g, zero), a_shape);
    if (ctx.needs_input_grad(2)) out[2] = sum_to(where(mask, zero, g), b_shape);
    return out;
  }
};

}  // namespace

Tensor maximum(const Tensor& a, const Tensor& b) { return ops::apply(MaxMin<true>{}, a, b); }
Tensor minimum(const Tensor& a, const Tensor& b) { return ops::apply(MaxMin<false>{}, a, b); }

Tensor where(const Tensor& mask, const Tensor& a, const Tensor& b) {
  ops::check_same_dtype("where", a, b);
  return ops::apply(Where{}, mask, a, b);
}

// --- op table entries
namespace {

// b's values kept 0.05 away from every value of a: no ties, no crossed kinks.
std::vector<Tensor> distinct_pair(Generator& g, const Shape& sa, const Shape& sb) {
  Tensor a = sample_normal(g, sa);
  return {a, keep_away_from(sample_normal(g, sb), a.to_vector<double>(), 0.05)};
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
