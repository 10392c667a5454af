#include "kernels/embedding.hpp"

#include "tapegrad/parallel_for.hpp"

namespace tg::kernels {

void embedding_rows(const Tensor& weight, const Tensor& indices, std::int64_t pad, bool zero_padding,
                    const Tensor& out) {
  const std::int64_t m = out.size(0), d = out.size(1);
  const std::int64_t w0 = weight.strides()[0], w1 = weight.strides()[1];
  const std::int64_t* idx = indices.data<std::int64_t>();
  dispatch_floating(out.dtype(), [&](auto t) {
    using T = decltype(t);
    const T* w = weight.data<T>();
    T* o = out.data<T>();
    parallel_for(m, grain_for_work(d), [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t i = begin; i < end; ++i) {
        T* row = o + i * d;
        if (zero_padding && idx[i] == pad) {
          for (std::int64_t j = 0; j < d; ++j) row[j] = T(0);
          continue;
        }
        const T* src = w + idx[i] * w0;
        for (std::int64_t j = 0; j < d; ++j) row[j] = src[j * w1];
      }
    });
  });
}

void embedding_accumulate(const Tensor& g, const Tensor& indices, std::int64_t pad, const Tensor& out) {
  const std::int64_t m = g.size(0), d = g.size(1);
  const std::int64_t g0 = g.strides()[0], g1 = g.strides()[1];
  const std::int64_t* idx = indices.data<std::int64_t>();
  dispatch_floating(out.dtype(), [&](auto t) {
    using T = decltype(t);
    const T* src = g.data<T>();
    T* o = out.data<T>();
    for (std::int64_t k = 0; k < out.numel(); ++k) o[k] = T(0);
    for (std::int64_t i = 0; i < m; ++i) {
      if (idx[i] == pad) continue;
      T* row = o + idx[i] * d;
      const T* gi = src + i * g0;
      for (std::int64_t j = 0; j < d; ++j) row[j] += gi[j * g1];
    }
  });
}

}  // namespace tg::kernels
