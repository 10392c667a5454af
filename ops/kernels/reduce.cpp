// Reductions over axes into a keepdim-shaped tensor: oneDNN's reduction primitive for
// large f32, plain strided loops otherwise (serial: iterations share output elements).
#include <limits>

#include "kernels/eltwise.hpp"
#include "kernels/nan.hpp"
#include "kernels/reduce.hpp"
#include "tapegrad/tensor_iteration.hpp"

namespace tg::kernels {

namespace {

template <bool IsMax, class T>
T combine(T acc, T v) {
  // A NaN wins, so it propagates as in a sum.
  return (IsMax ? v > acc : v < acc) || v != v ? v : acc;
}

template <bool IsMax>
Tensor extreme(const Tensor& x, const Shape& keep) {
  constexpr double start = IsMax ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  Tensor out = full(keep, start, x.dtype());
  if (x.dtype() == f32 && x.numel() >= kReductionMinElements && !f32_has_nan(x)) {
    reduction_f32(IsMax ? Reduction::max : Reduction::min, x, out);
    return out;
  }
  dispatch_floating(x.dtype(), [&](auto t) {
    using T = decltype(t);
    // out broadcasts (stride 0) along reduced axes: serial, iterations share outputs.
    for_each_strided<2>(
        x.shape(), strided_operands<2>(x.shape(), {&out, &x}),
        [](std::array<char*, 2> p, std::array<std::int64_t, 2> st, std::int64_t n) {
          const T* in = reinterpret_cast<const T*>(p[1]);
          const std::int64_t s = st[1] / static_cast<std::int64_t>(sizeof(T));
          T* o = reinterpret_cast<T*>(p[0]);
          if (st[0] == 0) {
            T acc = *o;
            for (std::int64_t i = 0; i < n; ++i) acc = combine<IsMax>(acc, in[i * s]);
            *o = acc;
          } else {
            const std::int64_t so = st[0] / static_cast<std::int64_t>(sizeof(T));
            for (std::int64_t i = 0; i < n; ++i) o[i * so] = combine<IsMax>(o[i * so], in[i * s]);
          }
        },
        /*parallel=*/false);
  });
  return out;
}

// Sum of x into a tensor of keepdim shape.
}  // namespace

Tensor sum_keepdim(const Tensor& x, const Shape& keep) {
  Tensor out = zeros(keep, x.dtype());
  if (x.dtype() == f32 && x.numel() >= kReductionMinElements) {
    reduction_f32(Reduction::sum, x, out);
    return out;
  }
  dispatch_dtype(x.dtype(), [&](auto t) {
    using T = decltype(t);
    // The output broadcasts (stride 0) along reduced axes, so each run accumulates
    // into it; kept serial because iterations share output elements.
    for_each_strided<2>(
        x.shape(), strided_operands<2>(x.shape(), {&out, &x}),
        [](std::array<char*, 2> p, std::array<std::int64_t, 2> st, std::int64_t n) {
          const T* in = reinterpret_cast<const T*>(p[1]);
          const std::int64_t s = st[1] / static_cast<std::int64_t>(sizeof(T));
          if (st[0] == 0) {
            T acc = 0;
            for (std::int64_t i = 0; i < n; ++i) acc += in[i * s];
            *reinterpret_cast<T*>(p[0]) += acc;
          } else {
            T* o = reinterpret_cast<T*>(p[0]);
            const std::int64_t so = st[0] / static_cast<std::int64_t>(sizeof(T));
            for (std::int64_t i = 0; i < n; ++i) o[i * so] += in[i * s];
          }
        },
        /*parallel=*/false);
  });
  return out;
}

Tensor max_keepdim(const Tensor& x, const Shape& keep) { return extreme<true>(x, keep); }
Tensor min_keepdim(const Tensor& x, const Shape& keep) { return extreme<false>(x, keep); }

}  // namespace tg::kernels
