#pragma once
// The one threading policy of tapegrad's own loops (oneDNN threads itself).
//
// parallel_for(n, grain, fn) splits the items [0, n) into one contiguous chunk per
// OpenMP thread and calls fn(begin, end) once per chunk. It stays on the calling thread
// when each thread would get fewer than `grain` items, or when called from inside a
// parallel region (no nested teams). The split is static: the same n on the same thread
// count gives every thread the same items, so a step touches the same memory from the
// same thread each time and per-thread partial results are reproducible.
//
// Choosing grain: the number of items whose work (~tens of microseconds) pays for
// waking a thread. For cheap per-element work that is about kGrainElements; for items
// that are rows, planes or images, divide by the work per item (grain_for_work).
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace tg {

// Cheap elementwise work (an add, a multiply-add, a compare) per item.
inline constexpr std::int64_t kGrainElements = std::int64_t{1} << 15;
// Floating-point operations that pay for a thread (a few tens of microseconds).
inline constexpr std::int64_t kGrainFlops = std::int64_t{1} << 16;

// The grain for items that each cost work_per_item cheap operations.
constexpr std::int64_t grain_for_work(std::int64_t work_per_item) {
  return std::max<std::int64_t>(1, kGrainFlops / std::max<std::int64_t>(1, work_per_item));
}

// How many threads parallel_for(n, grain, ...) would use from here.
inline int parallel_threads(std::int64_t n, std::int64_t grain) {
  if (omp_in_parallel() || n <= 0) return 1;
  const std::int64_t by_work = n / std::max<std::int64_t>(1, grain);
  return static_cast<int>(std::clamp<std::int64_t>(by_work, 1, omp_get_max_threads()));
}

namespace detail {
// Chunks of elementwise work start on multiples of 16 items, so that no two threads
// write the same 64-byte cache line of an f32 array.
inline std::int64_t chunk_size(std::int64_t n, std::int64_t threads) {
  const std::int64_t chunk = (n + threads - 1) / threads;
  return chunk >= 256 ? (chunk + 15) / 16 * 16 : chunk;
}
}  // namespace detail

template <class Fn>
void parallel_for(std::int64_t n, std::int64_t grain, Fn&& fn) {
  if (n <= 0) return;
  const int wanted = parallel_threads(n, grain);
  if (wanted <= 1) {
    fn(std::int64_t{0}, n);
    return;
  }
#pragma omp parallel num_threads(wanted)
  {
    const std::int64_t threads = omp_get_num_threads(), t = omp_get_thread_num();
    const std::int64_t chunk = detail::chunk_size(n, threads);
    const std::int64_t begin = std::min(n, t * chunk), end = std::min(n, begin + chunk);
    if (begin < end) fn(begin, end);
  }
}

// Sum of fn(begin, end) over the chunks of parallel_for. The partial sums are added in
// thread order, so the result depends only on n, grain and the thread count.
template <class T, class Fn>
T parallel_sum(std::int64_t n, std::int64_t grain, Fn&& fn) {
  if (n <= 0) return T{};
  const int wanted = parallel_threads(n, grain);
  if (wanted <= 1) return fn(std::int64_t{0}, n);
  std::vector<T> partial(static_cast<std::size_t>(wanted), T{});
#pragma omp parallel num_threads(wanted)
  {
    const std::int64_t threads = omp_get_num_threads(), t = omp_get_thread_num();
    const std::int64_t chunk = detail::chunk_size(n, threads);
    const std::int64_t begin = std::min(n, t * chunk), end = std::min(n, begin + chunk);
    if (begin < end) partial[static_cast<std::size_t>(t)] = fn(begin, end);
  }
  T total{};
  for (const T& p : partial) total += p;
  return total;
}

}  // namespace tg
