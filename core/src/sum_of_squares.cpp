#include "tapegrad/sum_of_squares.hpp"

#include "tapegrad/parallel_for.hpp"
#include "tapegrad/tensor_iteration.hpp"

namespace tg {

double sum_of_squares(const Tensor& t) {
  TG_CHECK(is_floating(t.dtype()), "sum_of_squares: expected a floating tensor (f32 or f64), got {} of shape {}",
           dtype_name(t.dtype()), t.shape().str());
  return dispatch_floating(t.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if (t.is_contiguous()) {
      const T* x = t.data<T>();
      return parallel_sum<double>(t.numel(), kGrainElements, [x](std::int64_t begin, std::int64_t end) {
        double s = 0;
#pragma omp simd reduction(+ : s)
        for (std::int64_t i = begin; i < end; ++i) s += static_cast<double>(x[i]) * static_cast<double>(x[i]);
        return s;
      });
    }
    double total = 0;
    for_each_strided<1>(
        t.shape(), strided_operands<1>(t.shape(), {&t}),
        [&total](std::array<char*, 1> p, std::array<std::int64_t, 1> st, std::int64_t n) {
          for (std::int64_t i = 0; i < n; ++i) {
            const double v = *reinterpret_cast<const T*>(p[0] + i * st[0]);
            total += v * v;
          }
        },
        /*parallel=*/false);
    return total;
  });
}

}  // namespace tg
