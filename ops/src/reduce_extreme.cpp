// max, min, argmax, argmin over axes. max/min run on oneDNN's reduction primitive for
// large f32, a plain loop otherwise (kernels/reduce.hpp); argmax/argmin are not
// differentiable and never recorded.
#include <algorithm>
#include <functional>

#include "kernels/reduce.hpp"
#include "op_pattern.hpp"
#include "reduced_axes.hpp"
#include "reduction_entry.hpp"
#include "tapegrad/ops/elementwise.hpp"
#include "tapegrad/ops/op_table.hpp"
#include "tapegrad/ops/reduce.hpp"
#include "tapegrad/ops/views.hpp"
#include "tapegrad/tensor_iteration.hpp"

namespace tg {

namespace {

// --- max and min

// Weights of the gradient of max/min: 1/k on each of the k elements equal to the
// result of their reduction, 0 elsewhere. A constant: the result is piecewise linear.
Tensor tie_weights(const Tensor& x, const Tensor& result_keep) {
  Tensor w = empty(x.shape(), x.dtype());
  Tensor count = zeros(result_keep.shape(), x.dtype());
  bool ties = false;
  dispatch_floating(x.dtype(), [&](auto t) {
    using T = decltype(t);
    for_each_strided<4>(
        x.shape(), strided_operands<4>(x.shape(), {&w, &x, &result_keep, &count}),
        [&ties](std::array<char*, 4> p, std::array<std::int64_t, 4> st, std::int64_t n) {
          for (std::int64_t i = 0; i < n; ++i) {
            const T hit = *reinterpret_cast<const T*>(p[1] + i * st[1]) == *reinterpret_cast<const T*>(p[2] + i * st[2]);
            *reinterpret_cast<T*>(p[0] + i * st[0]) = hit;
            T& c = *reinterpret_cast<T*>(p[3] + i * st[3]);
            c += hit;
            ties = ties || c > 1;
          }
        },
        /*parallel=*/false);
  });
  return ties ? w / count : w;
}

// max (IsMax) or min over the reduced axes; the gradient is g spread back over the
// input, times tie_weights.
template <bool IsMax>
struct Extreme {
  static constexpr const char* name = IsMax ? "max" : "min";
  static constexpr std::size_t num_saved = 2;  // input, result
  std::vector<bool> reduced;
  bool keepdim;
  Shape input_shape{}, keep{};

  Tensor forward(const Tensor& x) {
    const std::int64_t count = reduced_count(x.shape(), reduced);
    TG_CHECK(count > 0, "{}: reducing over {} elements (shape {}): the {} of nothing is undefined", name, count,
             x.shape().str(), name);
    input_shape = x.shape();
    keep = keepdim_shape(x.shape(), reduced);
    Tensor out = IsMax ? kernels::max_keepdim(x, keep) : kernels::min_keepdim(x, keep);
    return keepdim ? out : drop_reduced(out, x.shape(), reduced);
  }
  void save(ops::OpContext& ctx, const Tensor& x, const Tensor& out) const {
    ctx.save(0, x);
    ctx.save_output(1, out);
  }
  TensorList backward(const ops::OpContext& ctx, const Tensor& g) const {
    Tensor weights;
    {
      NoGradGuard no_grad;
      weights = tie_weights(ctx.saved(0), reshape(ctx.saved(1), keep.to_vector()));
    }
    return ops::grads(expand(reshape(g, keep.to_vector()), input_shape) * weights);
  }
};

template <bool IsMax>
Tensor extreme(const Tensor& x, const std::vector<std::int64_t>& axes, bool keepdim) {
  const char* op = IsMax ? "max" : "min";
  ops::check_floating(op, x);
  return ops::apply(Extreme<IsMax>{reduced_axes(op, axes, x.dim()), keepdim}, x);
}

// --- argmax and argmin

// Position of the extreme among n values p[0], p[s], ...; the first on ties, a NaN wins.
template <bool IsMax, class T>
std::int64_t arg_extreme_run(const T* p, std::int64_t n, std::int64_t s) {
  std::int64_t best = 0;
  T value = p[0];
  if (value != value) return 0;
  for (std::int64_t k = 1; k < n; ++k) {
    const T v = p[k * s];
    if (v != v) return k;
    if (IsMax ? v > value : v < value) {
      value = v;
      best = k;
    }
  }
  return best;
}

template <bool IsMax>
Tensor arg_extreme(const Tensor& x, std::int64_t axis, bool keepdim) {
  const char* op = IsMax ? "argmax" : "argmin";
  ops::check_floating(op, x);
  const int d = normalize_axis(axis, x.dim(), op);
  const std::int64_t n = x.shape()[d];
  TG_CHECK(n > 0, "{}: axis {} of shape {} is empty: there is no element to pick", op, axis, x.shape().str());
  Shape keep = x.shape();
  keep[d] = 1;
  Tensor out = empty(keep, i64);
  // Walk the kept positions; each scans its n values along axis d.
  const Tensor starts = make_view(x, keep, x.strides(), x.offset());
  const std::int64_t step = x.strides()[d];
  dispatch_floating(x.dtype(), [&](auto t) {
    using T = decltype(t);
    for_each_strided<2>(keep, strided_operands<2>(keep, {&out, &starts}),
                        [n, step](std::array<char*, 2> p, std::array<std::int64_t, 2> st, std::int64_t m) {
                          for (std::int64_t i = 0; i < m; ++i)
                            *reinterpret_cast<std::int64_t*>(p[0] + i * st[0]) =
                                arg_extreme_run<IsMax>(reinterpret_cast<const T*>(p[1] + i * st[1]), n, step);
                        });
  });
  if (!keepdim) {
    std::vector<bool> reduced(static_cast<std::size_t>(x.dim()), false);
    reduced[static_cast<std::size_t>(d)] = true;
    out = drop_reduced(out, x.shape(), reduced);
  }
  return out;
}

template <bool IsMax>
Tensor arg_extreme_flat(const Tensor& x) {
  const char* op = IsMax ? "argmax" : "argmin";
  ops::check_floating(op, x);
  TG_CHECK(x.numel() > 0, "{}: the tensor of shape {} is empty: there is no element to pick", op, x.shape().str());
  const Tensor dense = x.is_contiguous() ? x : x.detach().contiguous();
  return dispatch_floating(x.dtype(), [&](auto t) {
    using T = decltype(t);
    return full(Shape{}, static_cast<double>(arg_extreme_run<IsMax>(dense.data<T>(), dense.numel(), 1)), i64);
  });
}

}  // namespace

Tensor max(const Tensor& x) { return extreme<true>(x, {}, false); }
Tensor max(const Tensor& x, const std::vector<std::int64_t>& axes, bool keepdim) {
  TG_CHECK(!axes.empty() || x.dim() == 0, "max: empty axis list (call max(x) to reduce over all axes)");
  return extreme<true>(x, axes, keepdim);
}
Tensor min(const Tensor& x) { return extreme<false>(x, {}, false); }
Tensor min(const Tensor& x, const std::vector<std::int64_t>& axes, bool keepdim) {
  TG_CHECK(!axes.empty() || x.dim() == 0, "min: empty axis list (call min(x) to reduce over all axes)");
  return extreme<false>(x, axes, keepdim);
}

Tensor argmax(const Tensor& x, std::int64_t axis, bool keepdim) { return arg_extreme<true>(x, axis, keepdim); }
Tensor argmax(const Tensor& x) { return arg_extreme_flat<true>(x); }
Tensor argmin(const Tensor& x, std::int64_t axis, bool keepdim) { return arg_extreme<false>(x, axis, keepdim); }
Tensor argmin(const Tensor& x) { return arg_extreme_flat<false>(x); }

// --- op table entries
namespace {

using ops::reduction_entry;

// Values k * 0.3 + noise in [0, 0.1), k = 0..n-1 in random order: no two within 0.2,
// so a finite-difference step never swaps the max (no crossed kink).
Tensor sample_distinct(Generator& g, const Shape& shape) {
  const std::int64_t n = shape.numel();
  const std::vector<double> keys = uniform(Shape{n}, 0, 1, f64, &g).to_vector<double>();
  const std::vector<double> noise = uniform(Shape{n}, 0, 0.1, f64, &g).to_vector<double>();
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
  std::sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) {
    return keys[static_cast<std::size_t>(a)] < keys[static_cast<std::size_t>(b)];
  });
  std::vector<double> values(static_cast<std::size_t>(n));
  for (std::int64_t k = 0; k < n; ++k) {
    const auto i = static_cast<std::size_t>(order[static_cast<std::size_t>(k)]);
    values[i] = 0.3 * static_cast<double>(k - n / 2) + noise[i];
  }
  return from_vector(values, shape);
}

Tensor max_all(const Tensor& x) { return max(x); }
Tensor min_all(const Tensor& x) { return min(x); }
// The max and min of nothing are undefined: they refuse.
const std::string kNothing = "of nothing is undefined";
const OpRegistration reg_max(reduction_entry("max", max_all, sample_distinct, true, true,
                                             {{{0, 3, 4}, kNothing}, {{2, 3, 0}, kNothing}}));
const OpRegistration reg_max_axes(reduction_entry(
    "max_axes", [](const Tensor& x) { return max(x, {0, -1}); }, sample_distinct, false, true,
    {{{0, 3, 4}, kNothing}, {{2, 3, 0}, kNothing}, {{2, 0, 4}, ""}}));
const OpRegistration reg_max_keepdim(reduction_entry(
    "max_keepdim", [](const Tensor& x) { return max(x, {1}, true); }, sample_distinct, false, true,
    {{{0, 3, 4}, ""}, {{2, 0, 4}, kNothing}}));
const OpRegistration reg_min(reduction_entry("min", min_all, sample_distinct, true, true,
                                             {{{0, 3, 4}, kNothing}, {{2, 3, 0}, kNothing}}));
const OpRegistration reg_min_axes(reduction_entry(
    "min_axes", [](const Tensor& x) { return min(x, {-1}); }, sample_distinct, false, true,
    {{{0, 3, 4}, ""}, {{2, 3, 0}, kNothing}}));

}  // namespace

}  // namespace tg
