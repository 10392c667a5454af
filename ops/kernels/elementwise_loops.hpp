#pragma once
// The plain loops behind elementwise ops: f64 always, f32 below the oneDNN threshold
// (and for ops oneDNN lacks). Contiguous runs are simple indexed loops the compiler
// vectorizes.
#include <cstdint>

#include "tapegrad/parallel_for.hpp"
#include "tapegrad/tensor_iteration.hpp"

namespace tg::kernels {

// Whether the n elements at a and at b are the same elements or share none. A loop
// that reads element i of one and writes element i of the other then vectorizes as if
// they did not alias; GCC keeps these loops scalar (a select per element) when it must
// assume they might.
template <class T, class U>
bool same_or_disjoint(const T* a, const U* b, std::int64_t n) {
  const auto x = reinterpret_cast<std::uintptr_t>(a), y = reinterpret_cast<std::uintptr_t>(b);
  const auto bytes = static_cast<std::uintptr_t>(n) * sizeof(T);
  return x == y || x + bytes <= y || y + bytes <= x;
}

template <class T, class F>
void map_contiguous(const T* __restrict in, T* __restrict o, std::int64_t n, F f) {
  for (std::int64_t i = 0; i < n; ++i) o[i] = f(in[i]);
}

template <class T, class F>
void map_contiguous(const T* __restrict a, const T* __restrict b, T* __restrict o, std::int64_t n, F f) {
  for (std::int64_t i = 0; i < n; ++i) o[i] = f(a[i], b[i]);
}

// o[i] = f(in[i]) (or f(a[i], b[i])) for i < n, vectorized unless the ranges partly overlap.
template <class T, class F>
void map_range(const T* in, T* o, std::int64_t n, F f) {
  if (same_or_disjoint(o, in, n)) {
    map_contiguous(in, o, n, f);
  } else {
    for (std::int64_t i = 0; i < n; ++i) o[i] = f(in[i]);
  }
}

template <class T, class F>
void map_range(const T* a, const T* b, T* o, std::int64_t n, F f) {
  if (same_or_disjoint(o, a, n) && same_or_disjoint(o, b, n)) {
    map_contiguous(a, b, o, n, f);
  } else {
    for (std::int64_t i = 0; i < n; ++i) o[i] = f(a[i], b[i]);
  }
}

// fn(0, n) split as parallel_for(n, kGrainElements, fn) splits it. Below two grains
// parallel_for runs fn(0, n) on the calling thread (parallel_for.hpp); calling it
// directly there skips the OpenMP queries, which cost more than the loop over the small
// tensors a tape of scalar ops handles.
template <class Fn>
void flat_for(std::int64_t n, Fn&& fn) {
  if (n < 2 * kGrainElements) {
    if (n > 0) fn(std::int64_t{0}, n);
    return;
  }
  parallel_for(n, kGrainElements, fn);
}

// out = f(x), out contiguous with x's shape. A contiguous x is one flat loop, split as
// for_each_strided would split it; the strided walk (operand strides, merging dims)
// costs more than the arithmetic on small tensors. The callers dispatch on x's dtype,
// which out shares.
template <class T, class F>
void unary_loop(const Tensor& x, const Tensor& out, F f) {
  if (x.is_contiguous()) {
    const T* in = static_cast<const T*>(x.raw_data());
    T* o = static_cast<T*>(out.raw_data());
    flat_for(out.numel(),
             [in, o, f](std::int64_t begin, std::int64_t end) { map_range(in + begin, o + begin, end - begin, f); });
    return;
  }
  for_each_strided<2>(out.shape(), strided_operands<2>(out.shape(), {&out, &x}),
                      [f](std::array<char*, 2> p, std::array<std::int64_t, 2> st, std::int64_t n) {
                        T* o = reinterpret_cast<T*>(p[0]);
                        const T* in = reinterpret_cast<const T*>(p[1]);
                        if (st[1] == sizeof(T)) {
                          map_range(in, o, n, f);
                        } else {
                          const std::int64_t s = st[1] / static_cast<std::int64_t>(sizeof(T));
                          for (std::int64_t i = 0; i < n; ++i) o[i] = f(in[i * s]);
                        }
                      });
}

// out[i] = x[i] wherever x[i] is NaN, out contiguous with x's shape. Some oneDNN
// kernels map NaN to a number (relu as max(x, 0), the input clamp of exp); this pass
// keeps a NaN visible after them, as NumPy and PyTorch do.
template <class T>
void keep_nans(const Tensor& x, const Tensor& out) {
  if (x.is_contiguous()) {
    const T* in = x.data<T>();
    T* o = out.data<T>();
    const std::int64_t n = out.numel();
    // Pointers by value: through captured references GCC keeps this loop scalar.
    parallel_for(n, kGrainElements, [in, o](std::int64_t begin, std::int64_t end) {
      for (std::int64_t i = begin; i < end; ++i)
        if (in[i] != in[i]) o[i] = in[i];
    });
    return;
  }
  for_each_strided<2>(out.shape(), strided_operands<2>(out.shape(), {&out, &x}),
                      [](std::array<char*, 2> p, std::array<std::int64_t, 2> st, std::int64_t n) {
                        T* o = reinterpret_cast<T*>(p[0]);
                        const T* in = reinterpret_cast<const T*>(p[1]);
                        const std::int64_t s = st[1] / static_cast<std::int64_t>(sizeof(T));
                        for (std::int64_t i = 0; i < n; ++i)
                          if (in[i * s] != in[i * s]) o[i] = in[i * s];
                      });
}

// Whether t, broadcast to out's shape, is out's elements in out's (row-major) order:
// contiguous and as many elements (broadcasting then only adds or keeps size-1 dims).
inline bool flat_like(const Tensor& t, const Tensor& out) {
  return t.numel() == out.numel() && t.is_contiguous();
}

// out = f(a, b), a and b broadcast to out's shape (the callers dispatch on a's dtype,
// which b and out share). Operands that are out's elements in order, or a single
// element, take one flat loop (split as for_each_strided splits a contiguous run);
// anything else walks the strides.
template <class T, class F>
void binary_loop(const Tensor& a, const Tensor& b, const Tensor& out, F f) {
  const bool a_flat = flat_like(a, out), b_flat = flat_like(b, out);
  if ((a_flat || a.numel() == 1) && (b_flat || b.numel() == 1)) {
    const T* x = static_cast<const T*>(a.raw_data());
    const T* y = static_cast<const T*>(b.raw_data());
    T* o = static_cast<T*>(out.raw_data());
    const std::int64_t n = out.numel();
    if (a_flat && b_flat) {
      flat_for(n, [x, y, o, f](std::int64_t begin, std::int64_t end) {
        map_range(x + begin, y + begin, o + begin, end - begin, f);
      });
    } else if (a_flat) {
      const T yv = *y;
      flat_for(n, [x, yv, o, f](std::int64_t begin, std::int64_t end) {
        map_range(x + begin, o + begin, end - begin, [f, yv](T v) { return f(v, yv); });
      });
    } else {
      const T xv = *x;
      flat_for(n, [xv, y, o, f](std::int64_t begin, std::int64_t end) {
        map_range(y + begin, o + begin, end - begin, [f, xv](T v) { return f(xv, v); });
      });
    }
    return;
  }
  for_each_strided<3>(out.shape(), strided_operands<3>(out.shape(), {&out, &a, &b}),
                      [f](std::array<char*, 3> p, std::array<std::int64_t, 3> st, std::int64_t n) {
                        T* o = reinterpret_cast<T*>(p[0]);
                        const T* x = reinterpret_cast<const T*>(p[1]);
                        const T* y = reinterpret_cast<const T*>(p[2]);
                        constexpr std::int64_t e = sizeof(T);
                        if (st[1] == e && st[2] == e) {
                          map_range(x, y, o, n, f);
                        } else if (st[1] == e && st[2] == 0) {
                          const T yv = *y;
                          for (std::int64_t i = 0; i < n; ++i) o[i] = f(x[i], yv);
                        } else if (st[1] == 0 && st[2] == e) {
                          const T xv = *x;
                          for (std::int64_t i = 0; i < n; ++i) o[i] = f(xv, y[i]);
                        } else {
                          const std::int64_t sx = st[1] / e, sy = st[2] / e;
                          for (std::int64_t i = 0; i < n; ++i) o[i] = f(x[i * sx], y[i * sy]);
                        }
                      });
}

}  // namespace tg::kernels
