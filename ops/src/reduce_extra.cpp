// max, min, argmax, argmin over axes; var, std_dev and logsumexp composed from sum,
// mean, exp and log (so f32 runs on those ops' oneDNN paths and the gradients are
// differentiable for free). max/min run on oneDNN's reduction primitive for large
// f32, a plain loop otherwise.
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include "kernels/reduce.hpp"
#include "kernels/nan.hpp"
#include "op_util.hpp"
#include "reduced_axes.hpp"
#include "tapegrad/ops/elementwise.hpp"
#include "tapegrad/ops/op_table.hpp"
#include "tapegrad/ops/reduce.hpp"
#include "tapegrad/ops/views.hpp"
#include "tapegrad/tensor_iteration.hpp"

namespace tg {

namespace {

std::int64_t reduced_count(const Shape& in, const std::vector<bool>& reduced) {
  std::int64_t count = 1;
  for (int d = 0; d < in.size(); ++d)
    if (reduced[static_cast<std::size_t>(d)]) count *= in[d];
  return count;
}

std::vector<std::int64_t> axis_list(const std::vector<bool>& reduced) {
  std::vector<std::int64_t> axes;
  for (std::size_t d = 0; d < reduced.size(); ++d)
    if (reduced[d]) axes.push_back(static_cast<std::int64_t>(d));
  return axes;
}

// A fresh keepdim-shaped result seen with the reduced axes dropped.
Tensor drop_reduced(const Tensor& keep, const Shape& in, const std::vector<bool>& reduced) {
  const Shape dropped = dropped_shape(in, reduced);
  return make_view(keep, dropped, contiguous_strides(dropped), keep.offset());
}

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

class ExtremeNode final : public Node {
 public:
  ExtremeNode(bool is_max, Shape input_shape, Shape keep) : is_max_(is_max), input_shape_(input_shape), keep_(keep) {}
  const char* name() const override { return is_max_ ? "max" : "min"; }
  TensorList apply(TensorList&& grads) override {
    Tensor weights;
    {
      NoGradGuard no_grad;
      weights = tie_weights(input_.unpack(*this), reshape(result_.unpack(*this), keep_.to_vector()));
    }
    TensorList out;
    out.push_back(expand(reshape(grads[0], keep_.to_vector()), input_shape_) * weights);
    return out;
  }
  void release_saved() override {
    input_.release();
    result_.release();
  }
  SavedTensor input_, result_;

 private:
  bool is_max_;
  Shape input_shape_, keep_;
};

template <bool IsMax>
Tensor extreme(const Tensor& x, const std::vector<std::int64_t>& axes, bool keepdim) {
  const char* op = IsMax ? "max" : "min";
  ops::check_floating(op, x);
  const std::vector<bool> reduced = reduced_axes(op, axes, x.dim());
  const std::int64_t count = reduced_count(x.shape(), reduced);
  TG_CHECK(count > 0, "{}: reducing over {} elements (shape {}): the {} of nothing is undefined", op, count,
           x.shape().str(), op);
  const Shape keep = keepdim_shape(x.shape(), reduced);
  Tensor out = IsMax ? kernels::max_keepdim(x, keep) : kernels::min_keepdim(x, keep);
  if (!keepdim) out = drop_reduced(out, x.shape(), reduced);
  if (auto node = ops::record<ExtremeNode>(out, {&x}, IsMax, x.shape(), keep)) {
    node->input_ = SavedTensor(x, false);
    node->result_ = SavedTensor(out, true);
  }
  ops::check_forward(op, out);
  return out;
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

// --- var, std_dev, logsumexp

Tensor variance(const char* op, const Tensor& x, const std::vector<std::int64_t>& axes, bool keepdim,
                double correction) {
  ops::check_floating(op, x);
  const std::vector<bool> reduced = reduced_axes(op, axes, x.dim());
  const std::int64_t count = reduced_count(x.shape(), reduced);
  TG_CHECK(correction >= 0, "{}: correction must be >= 0, got {}", op, correction);
  TG_CHECK(static_cast<double>(count) > correction,
           "{}: correction {} needs more than {} elements per reduction, got {} (shape {})", op, correction,
           correction, count, x.shape().str());
  const std::vector<std::int64_t> all = axis_list(reduced);
  const Tensor centered = x - mean(x, all, /*keepdim=*/true);
  return sum(centered * centered, all, keepdim) * (1.0 / (static_cast<double>(count) - correction));
}

Tensor logsumexp_op(const Tensor& x, const std::vector<std::int64_t>& axes, bool keepdim) {
  ops::check_floating("logsumexp", x);
  const std::vector<bool> reduced = reduced_axes("logsumexp", axes, x.dim());
  const std::vector<std::int64_t> all = axis_list(reduced);
  // The log of an empty sum is -inf (as in NumPy and PyTorch); adding it to the sum
  // keeps the result connected to x.
  if (reduced_count(x.shape(), reduced) == 0) return sum(x, all, keepdim) + -std::numeric_limits<double>::infinity();
  // The shift m is a constant (the result does not depend on it), so the gradient
  // through the composition is exactly softmax. An infinite max shifts by 0 instead
  // (x - inf would be NaN): all -inf gives -inf, any +inf gives +inf.
  Tensor shift;
  {
    NoGradGuard no_grad;
    shift = max(x, all, /*keepdim=*/true);
    dispatch_floating(x.dtype(), [&](auto t) {
      using T = decltype(t);
      T* m = shift.data<T>();
      for (std::int64_t i = 0; i < shift.numel(); ++i)
        if (!std::isfinite(m[i])) m[i] = 0;
    });
  }
  Tensor out = log(sum(exp(x - shift), all, /*keepdim=*/true)) + shift;
  return keepdim ? out : reshape(out, dropped_shape(x.shape(), reduced).to_vector());
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

Tensor var(const Tensor& x, const std::vector<std::int64_t>& axes, bool keepdim, double correction) {
  return variance("var", x, axes, keepdim, correction);
}
Tensor std_dev(const Tensor& x, const std::vector<std::int64_t>& axes, bool keepdim, double correction) {
  return sqrt(variance("std_dev", x, axes, keepdim, correction));
}

Tensor logsumexp(const Tensor& x) { return logsumexp_op(x, {}, false); }
Tensor logsumexp(const Tensor& x, const std::vector<std::int64_t>& axes, bool keepdim) {
  TG_CHECK(!axes.empty() || x.dim() == 0, "logsumexp: empty axis list (call logsumexp(x) to reduce over all axes)");
  return logsumexp_op(x, axes, keepdim);
}

// --- op table entries
namespace {

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

using ReduceFn = std::function<Tensor(const Tensor&)>;
using SampleMaker = Tensor (*)(Generator&, const Shape&);

Tensor normal(Generator& g, const Shape& s) { return sample_normal(g, s); }

// An empty input case: its shape, and the error of an op that refuses it (empty: the
// op gives a result).
struct EmptyCase {
  Shape shape;
  std::string refused_with;
};
const std::vector<EmptyCase> kEmptyResults = {{{0, 3, 4}, ""}, {{2, 3, 0}, ""}};

OpTableEntry reduction_entry(const char* name, ReduceFn fn, SampleMaker make, bool all_axes, bool kinks,
                             std::vector<EmptyCase> empty_cases = kEmptyResults) {
  OpTableEntry e;
  e.name = name;
  e.fn = [fn](const std::vector<Tensor>& x) { return fn(x[0]); };
  e.has_kinks = kinks;
  e.f32_tolerance = 1e-4;
  e.samples = [make, all_axes, empty_cases](Generator& g) -> std::vector<OpSample> {
    std::vector<OpSample> s = {{"[2, 3, 4]", {make(g, {2, 3, 4})}},
                               {"[3, 1, 5]", {make(g, {3, 1, 5})}},
                               {"transposed view [3, 4, 2]", {make(g, {3, 2, 4})}, {0}}};
    if (all_axes) s.push_back({"[7]", {make(g, {7})}});
    for (const auto& c : empty_cases)
      s.push_back({"empty " + c.shape.str(), {make(g, c.shape)}, {}, c.refused_with});
    return s;
  };
  e.large_samples = [make, empty_cases](Generator& g) -> std::vector<OpSample> {
    // The first empty case at a size that would run on oneDNN if it were not empty.
    Shape big = empty_cases.at(0).shape;
    for (auto& d : big) d *= 32;
    return {{"[16, 128, 10]", {make(g, {16, 128, 10})}},
            {"transposed [16, 10, 128]", {make(g, {16, 128, 10})}, {0}},
            {"empty " + big.str(), {make(g, big)}, {}, empty_cases.at(0).refused_with}};
  };
  return e;
}

Tensor max_all(const Tensor& x) { return max(x); }
Tensor min_all(const Tensor& x) { return min(x); }
Tensor lse_all(const Tensor& x) { return logsumexp(x); }
Tensor var_all(const Tensor& x) { return var(x); }
Tensor std_all(const Tensor& x) { return std_dev(x); }

// The max, min and variance of nothing are undefined: they refuse; logsumexp gives -inf.
const std::string kNothing = "of nothing is undefined", kTooFew = "elements per reduction, got 0";
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
const OpRegistration reg_var(reduction_entry("var", var_all, normal, true, false,
                                             {{{0, 3, 4}, kTooFew}, {{2, 3, 0}, kTooFew}}));
const OpRegistration reg_var_axes(reduction_entry(
    "var_axes", [](const Tensor& x) { return var(x, {0, -1}, true); }, normal, false, false,
    {{{0, 3, 4}, kTooFew}, {{2, 0, 4}, ""}}));
const OpRegistration reg_var_population(reduction_entry(
    "var_population", [](const Tensor& x) { return var(x, {-1}, false, 0); }, normal, false, false,
    {{{0, 3, 4}, ""}, {{2, 3, 0}, kTooFew}}));
const OpRegistration reg_std_dev(reduction_entry("std_dev", std_all, normal, true, false,
                                                 {{{0, 3, 4}, kTooFew}, {{2, 3, 0}, kTooFew}}));
const OpRegistration reg_std_dev_axes(reduction_entry(
    "std_dev_axes", [](const Tensor& x) { return std_dev(x, {-1}, false, 0); }, normal, false, false,
    {{{0, 3, 4}, ""}, {{2, 3, 0}, kTooFew}}));
const OpRegistration reg_logsumexp(reduction_entry("logsumexp", lse_all, normal, true, false));
const OpRegistration reg_logsumexp_axes(reduction_entry(
    "logsumexp_axes", [](const Tensor& x) { return logsumexp(x, {-1}, true); }, normal, false, false));

}  // namespace

}  // namespace tg
