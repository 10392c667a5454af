// softmax and log_softmax kernels: oneDNN's softmax_v2 for large f32 (dnnl_softmax.cpp),
// plain loops below it and for f64. The formulas are in softmax.hpp.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "kernels/dense.hpp"
#include "kernels/nan.hpp"
#include "kernels/softmax.hpp"
#include "tapegrad/parallel_for.hpp"

namespace tg::kernels {

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
  parallel_for(v.outer, std::max<std::int64_t>(1, kParallelMinElements / std::max<std::int64_t>(1, step)),
               [&](std::int64_t begin, std::int64_t end) {
                 std::vector<T> m(inner);
                 std::vector<double> s(inner);
                 for (std::int64_t o = begin; o < end; ++o) work(o * step, m.data(), s.data());
               });
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

bool use_dnnl(const Tensor& t, std::int64_t min_elements = kSoftmaxMinElements) {
  return t.dtype() == f32 && t.numel() >= min_elements;
}

}  // namespace

Tensor softmax_forward(const Tensor& x_in, int axis, bool log) {
  const Tensor x = dense(x_in);
  Tensor y = empty(x.shape(), x.dtype());
  if (use_dnnl(x) && !f32_has_nan(x)) {  // oneDNN's row max drops NaN
    softmax_forward_f32(x, y, axis, log);
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

Tensor softmax_backward(const Tensor& g_in, const Tensor& y, int axis, bool log) {
  const Tensor g = dense(g_in);
  Tensor dx = empty(y.shape(), y.dtype());
  if (use_dnnl(y, log ? kSoftmaxMinElements : kSoftmaxBackwardMinElements)) {
    softmax_backward_f32(g, y, dx, axis, log);
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


}  // namespace tg::kernels
