#pragma once
// Splits [0, n) into one contiguous chunk per OpenMP thread (each a multiple of 16
// elements, so no two threads write the same cache line) and calls fn(begin, end) for
// each. Small n, or a call from inside a parallel region, runs on the calling thread.
// The split is static, so every step touches the same memory from the same thread.
#include <omp.h>

#include <algorithm>
#include <cstdint>

namespace tg::optim::detail {

inline constexpr std::int64_t kMinElementsPerThread = 1 << 15;

template <class Fn>
void parallel_chunks(std::int64_t n, Fn&& fn) {
  const std::int64_t wanted =
      omp_in_parallel() ? 1 : std::min<std::int64_t>(omp_get_max_threads(), n / kMinElementsPerThread);
  if (wanted <= 1) {
    fn(std::int64_t{0}, n);
    return;
  }
#pragma omp parallel num_threads(static_cast<int>(wanted))
  {
    const std::int64_t threads = omp_get_num_threads(), t = omp_get_thread_num();
    const std::int64_t chunk = ((n + threads - 1) / threads + 15) / 16 * 16;
    const std::int64_t begin = std::min(n, t * chunk), end = std::min(n, begin + chunk);
    if (begin < end) fn(begin, end);
  }
}

}  // namespace tg::optim::detail
