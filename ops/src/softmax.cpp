// softmax and log_softmax along one axis, max-subtracted for stability:
//   softmax(x)_j = exp(x_j - m) / sum_k exp(x_k - m),  m = max_k x_k
//   log_softmax(x)_j = x_j - m - log(sum_k exp(x_k - m))
// Backward, from the output y:
//   softmax:     dx = y * (g - sum(g * y))
//   log_softmax: dx = g - exp(y) * sum(g)
// A plain backward (no create_graph) runs the fused kernel (oneDNN's softmax_v2
// backward for large f32); with create_graph the same formula is built from tapegrad
// ops, so the gradient is differentiable again.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "backend/dnnl_softmax.hpp"
#include "op_pattern.hpp"
#include "tapegrad/ops/elementwise.hpp"
#include "tapegrad/ops/op_table.hpp"
#include "tapegrad/ops/reduce.hpp"
#include "tapegrad/ops/softmax.hpp"

namespace tg {

namespace {

// A contiguous tensor seen as [outer, n, inner] around the softmax axis.
struct AxisView {
  std::int64_t outer = 1, n = 1, inner = 1;
};

AxisView around(const Shape& shape, int axis) {
  AxisView v;
  for (int d = 0; d < shape.size(); ++d) {
    if (d < axis) v.outer *= shape[d];
    else if (d == axis) v.n = shape[d];
    else v.inner *= shape[d];
  }
  return v;
}

// Worth spreading over threads: only the f64 reference of large inputs gets here.
constexpr std::int64_t kParallelMinElements = 1 << 15;

// One row (the softmax axis is the last): plain loops along it.
template <class T, bool Log>
void softmax_forward_row(const T* x, T* y, std::int64_t n) {
  T m = -std::numeric_limits<T>::infinity();
  for (std::int64_t j = 0; j < n; ++j) m = std::max(m, x[j]);
  double s = 0;
  for (std::int64_t j = 0; j < n; ++j) {
    const T e = std::exp(x[j] - m);
    s += e;
    if constexpr (!Log) y[j] = e;
  }
  if constexpr (Log) {
    const T shift = static_cast<T>(m + std::log(s));
    for (std::int64_t j = 0; j < n; ++j) y[j] = x[j] - shift;
  } else {
    const T scale = static_cast<T>(1 / s);
    for (std::int64_t j = 0; j < n; ++j) y[j] *= scale;
  }
}

template <class T, bool Log>
void softmax_backward_row(const T* g, const T* y, T* dx, std::int64_t n) {
  double s = 0;
  for (std::int64_t j = 0; j < n; ++j) s += Log ? g[j] : g[j] * y[j];
  const T sum = static_cast<T>(s);
  for (std::int64_t j = 0; j < n; ++j) dx[j] = Log ? g[j] - std::exp(y[j]) * sum : y[j] * (g[j] - sum);
}

// One [n, inner] slab (the softmax axis is not the last): the max and the sums run
// along j for every i at once, so the inner loops are contiguous. m and s: scratch.
template <class T, bool Log>
void softmax_forward_slab(const T* x, T* y, std::int64_t n, std::int64_t inner, T* m, double* s) {
  std::fill(m, m + inner, -std::numeric_limits<T>::infinity());
  std::fill(s, s + inner, 0.0);
  for (std::int64_t j = 0; j < n; ++j)
    for (std::int64_t i = 0; i < inner; ++i) m[i] = std::max(m[i], x[j * inner + i]);
  for (std::int64_t j = 0; j < n; ++j)
    for (std::int64_t i = 0; i < inner; ++i) {
      const T e = std::exp(x[j * inner + i] - m[i]);
      s[i] += e;
      if constexpr (!Log) y[j * inner + i] = e;
    }
  for (std::int64_t i = 0; i < inner; ++i) s[i] = Log ? m[i] + std::log(s[i]) : 1 / s[i];
  for (std::int64_t j = 0; j < n; ++j)
    for (std::int64_t i = 0; i < inner; ++i) {
      const std::int64_t k = j * inner + i;
      y[k] = Log ? static_cast<T>(x[k] - s[i]) : static_cast<T>(y[k] * s[i]);
    }
}

template <class T, bool Log>
void softmax_backward_slab(const T* g, const T* y, T* dx, std::int64_t n, std::int64_t inner, double* s) {
  std::fill(s, s + inner, 0.0);
  for (std::int64_t j = 0; j < n; ++j)
    for (std::int64_t i = 0; i < inner; ++i) {
      const std::int64_t k = j * inner + i;
      s[i] += Log ? g[k] : g[k] * y[k];
    }
  for (std::int64_t j = 0; j < n; ++j)
    for (std::int64_t i = 0; i < inner; ++i) {
      const std::int64_t k = j * inner + i;
      dx[k] = Log ? static_cast<T>(g[k] - std::exp(y[k]) * s[i]) : static_cast<T>(y[k] * (g[k] - s[i]));
    }
}

// Runs work(offset, m, s) for every outer index (offset = its first element), with
// scratch of `inner` values per thread; an OpenMP team only for large inputs
// (starting one costs microseconds).
template <class T, class Work>
void for_each_outer(AxisView v, Work&& work) {
  const std::size_t inner = static_cast<std::size_t>(v.inner);
  const std::int64_t step = v.n * v.inner;
  if (v.outer * step < kParallelMinElements || v.outer == 1) {
    std::vector<T> m(inner);
    std::vector<double> s(inner);
    for (std::int64_t o = 0; o < v.outer; ++o) work(o * step, m.data(), s.data());
    return;
  }
#pragma omp parallel
  {
    std::vector<T> m(inner);
    std::vector<double> s(inner);
#pragma omp for
    for (std::int64_t o = 0; o < v.outer; ++o) work(o * step, m.data(), s.data());
  }
}

template <class T, bool Log>
void softmax_forward_loop(const T* x, T* y, AxisView v) {
  for_each_outer<T>(v, [&](std::int64_t base, T* m, double* s) {
    if (v.inner == 1) softmax_forward_row<T, Log>(x + base, y + base, v.n);
    else softmax_forward_slab<T, Log>(x + base, y + base, v.n, v.inner, m, s);
  });
}

template <class T, bool Log>
void softmax_backward_loop(const T* g, const T* y, T* dx, AxisView v) {
  for_each_outer<T>(v, [&](std::int64_t base, T*, double* s) {
    if (v.inner == 1) softmax_backward_row<T, Log>(g + base, y + base, dx + base, v.n);
    else softmax_backward_slab<T, Log>(g + base, y + base, dx + base, v.n, v.inner, s);
  });
}

// A contiguous copy of t when it is not contiguous, never recorded.
Tensor dense(const Tensor& t) { return t.is_contiguous() ? t : t.detach().contiguous(); }

bool use_dnnl(const Tensor& t, std::int64_t min_elements = backend::kSoftmaxMinElements) {
  return t.dtype() == f32 && t.numel() >= min_elements;
}

Tensor softmax_kernel(const Tensor& x_in, int axis, bool log) {
  const Tensor x = dense(x_in);
  Tensor y = empty(x.shape(), x.dtype());
  if (use_dnnl(x) && !ops::f32_has_nan(x)) {  // oneDNN's row max drops NaN
    backend::softmax_forward_f32(x, y, axis, log);
  } else {
    dispatch_floating(x.dtype(), [&](auto t) {
      using T = decltype(t);
      const AxisView v = around(x.shape(), axis);
      if (log) softmax_forward_loop<T, true>(x.data<T>(), y.data<T>(), v);
      else softmax_forward_loop<T, false>(x.data<T>(), y.data<T>(), v);
    });
  }
  return y;
}

Tensor softmax_backward_kernel(const Tensor& g_in, const Tensor& y, int axis, bool log) {
  const Tensor g = dense(g_in);
  Tensor dx = empty(y.shape(), y.dtype());
  if (use_dnnl(y, log ? backend::kSoftmaxMinElements : backend::kSoftmaxBackwardMinElements)) {
    backend::softmax_backward_f32(g, y, dx, axis, log);
  } else {
    dispatch_floating(y.dtype(), [&](auto t) {
      using T = decltype(t);
      const AxisView v = around(y.shape(), axis);
      if (log) softmax_backward_loop<T, true>(g.data<T>(), y.data<T>(), dx.data<T>(), v);
      else softmax_backward_loop<T, false>(g.data<T>(), y.data<T>(), dx.data<T>(), v);
    });
  }
  return dx;
}

// softmax or log_softmax along axis; the gradient needs only the output y:
//   softmax:     dx = y (g - sum(g y))
//   log_softmax: dx = g - exp(y) sum(g)
struct Softmax {
  static constexpr std::size_t num_saved = 1;  // the output
  const char* name;                            // softmax or log_softmax
  std::int64_t axis_in;
  bool log;
  int axis = 0;

  Tensor forward(const Tensor& x) {
    ops::check_floating(name, x);
    axis = normalize_axis(axis_in, x.dim(), name);
    return softmax_kernel(x, axis, log);
  }
  void save(ops::OpContext& ctx, const Tensor&, const Tensor& y) const { ctx.save_output(0, y); }
  TensorList backward(const ops::OpContext& ctx, const Tensor& g) const {
    const Tensor y = ctx.saved(0);
    return ops::grads(ops::fused_or_composed(
        {&g, &y}, [&] { return softmax_backward_kernel(g, y, axis, log); },
        [&] {
          return log ? g - exp(y) * sum(g, {axis}, /*keepdim=*/true) : y * (g - sum(g * y, {axis}, /*keepdim=*/true));
        }));
  }
};

Tensor softmax_op(const Tensor& x, std::int64_t axis, bool log) {
  return ops::apply(Softmax{log ? "log_softmax" : "softmax", axis, log}, x);
}

}  // namespace

Tensor softmax(const Tensor& x, std::int64_t axis) { return softmax_op(x, axis, false); }
Tensor log_softmax(const Tensor& x, std::int64_t axis) { return softmax_op(x, axis, true); }

// --- op table entries
namespace {

template <bool Log>
OpTableEntry softmax_entry(const char* name, std::int64_t axis) {
  OpTableEntry e;
  e.name = name;
  e.fn = [axis](const std::vector<Tensor>& x) { return Log ? log_softmax(x[0], axis) : softmax(x[0], axis); };
  if (axis == -1) {
    e.samples = [](Generator& g) -> std::vector<OpSample> {
      return {{"[5]", {sample_normal(g, {5})}},
              {"[3, 4]", {sample_normal(g, {3, 4})}},
              {"[2, 3, 7]", {sample_normal(g, {2, 3, 7})}},
              {"[3, 1] (one class)", {sample_normal(g, {3, 1})}},
              {"transposed view [4, 3]", {sample_normal(g, {3, 4})}, {0}},
              {"empty [0, 4]", {sample_normal(g, {0, 4})}},
              {"no classes [3, 0]", {sample_normal(g, {3, 0})}}};
    };
    e.large_samples = [](Generator& g) -> std::vector<OpSample> {
      return {{"[128, 1000]", {sample_normal(g, {128, 1000})}},
              {"[64, 10] x 4", {sample_normal(g, {64, 10}) * 4.0}},
              {"transposed [1000, 128]", {sample_normal(g, {128, 1000})}, {0}},
              {"empty [0, 1000]", {sample_normal(g, {0, 1000})}}};
    };
  } else {  // axis 0: the softmax runs across rows (inner > 1)
    e.samples = [](Generator& g) -> std::vector<OpSample> {
      return {{"[3, 4]", {sample_normal(g, {3, 4})}},
              {"[4, 3, 2]", {sample_normal(g, {4, 3, 2})}},
              {"transposed view [5, 3]", {sample_normal(g, {3, 5})}, {0}},
              {"empty [0, 4]", {sample_normal(g, {0, 4})}},
              {"empty [3, 0]", {sample_normal(g, {3, 0})}}};
    };
    e.large_samples = [](Generator& g) -> std::vector<OpSample> {
      return {{"[300, 40]", {sample_normal(g, {300, 40})}},
              {"[10, 64, 8]", {sample_normal(g, {10, 64, 8})}},
              {"empty [300, 0]", {sample_normal(g, {300, 0})}}};
    };
  }
  return e;
}

const OpRegistration reg_softmax(softmax_entry<false>("softmax", -1));
const OpRegistration reg_softmax_axis0(softmax_entry<false>("softmax_axis0", 0));
const OpRegistration reg_log_softmax(softmax_entry<true>("log_softmax", -1));
const OpRegistration reg_log_softmax_axis0(softmax_entry<true>("log_softmax_axis0", 0));

}  // namespace

}  // namespace tg
