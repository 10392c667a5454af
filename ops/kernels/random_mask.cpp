#include "kernels/random_mask.hpp"

#include <cmath>

#include "tapegrad/parallel_for.hpp"

namespace tg::kernels {

void bernoulli_mask(const Generator& gen, std::uint64_t first_block, double keep_probability, double kept,
                    const Tensor& mask) {
  const std::int64_t n = mask.numel();
  const std::uint64_t threshold = static_cast<std::uint64_t>(std::ldexp(keep_probability, 32));
  dispatch_dtype(mask.dtype(), [&](auto t) {
    using T = decltype(t);
    T* p = mask.data<T>();
    const T one = static_cast<T>(kept);
    // Items are blocks of 4 words; a Philox block costs about as much as 4 cheap elements.
    parallel_for((n + 3) / 4, kGrainElements / 4, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t b = begin; b < end; ++b) {
        const auto w = gen.block(first_block + static_cast<std::uint64_t>(b));
        for (std::int64_t j = 0; j < 4 && 4 * b + j < n; ++j) p[4 * b + j] = w[j] < threshold ? one : T(0);
      }
    });
  });
}

}  // namespace tg::kernels
