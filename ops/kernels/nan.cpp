#include "kernels/nan.hpp"

#include "kernels/dense.hpp"
#include "tapegrad/parallel_for.hpp"

namespace tg::kernels {

bool f32_has_nan(const Tensor& t) {
  if (t.dtype() != f32) return false;
  const Tensor x = dense(t);
  const float* p = x.data<float>();
  const std::int64_t nans = parallel_sum<std::int64_t>(x.numel(), kGrainElements, [p](std::int64_t begin, std::int64_t end) {
    std::int64_t count = 0;
    for (std::int64_t i = begin; i < end; ++i) count += p[i] != p[i];
    return count;
  });
  return nans > 0;
}

}  // namespace tg::kernels
