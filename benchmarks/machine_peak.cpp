#include "machine_peak.hpp"

#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

namespace tg::bench {

namespace {

using Clock = std::chrono::steady_clock;

// The chains are written out one by one: an array of vectors may be left in memory
// at low optimization levels, which measures the load/store ports instead.
#define TG_TWELVE(op) op(0) op(1) op(2) op(3) op(4) op(5) op(6) op(7) op(8) op(9) op(10) op(11)

__attribute__((target("avx512f"))) float fma_chains_avx512(long iterations) {
  const __m512 m = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-7f);
#define TG_INIT(i) __m512 a##i = _mm512_set1_ps(1.0f + (i) * 1e-3f);
#define TG_STEP(i) a##i = _mm512_fmadd_ps(a##i, m, c);
#define TG_SUM(i) s = _mm512_add_ps(s, a##i);
  TG_TWELVE(TG_INIT)
  for (long k = 0; k < iterations; ++k) {
    TG_TWELVE(TG_STEP)
  }
  __m512 s = _mm512_setzero_ps();
  TG_TWELVE(TG_SUM)
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, s);
  return lanes[0];
#undef TG_INIT
#undef TG_STEP
#undef TG_SUM
}

__attribute__((target("avx2,fma"))) float fma_chains_avx2(long iterations) {
  const __m256 m = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f);
#define TG_INIT(i) __m256 a##i = _mm256_set1_ps(1.0f + (i) * 1e-3f);
#define TG_STEP(i) a##i = _mm256_fmadd_ps(a##i, m, c);
#define TG_SUM(i) s = _mm256_add_ps(s, a##i);
  TG_TWELVE(TG_INIT)
  for (long k = 0; k < iterations; ++k) {
    TG_TWELVE(TG_STEP)
  }
  __m256 s = _mm256_setzero_ps();
  TG_TWELVE(TG_SUM)
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, s);
  return lanes[0];
#undef TG_INIT
#undef TG_STEP
#undef TG_SUM
}

#undef TG_TWELVE

bool has_avx512() { return __builtin_cpu_supports("avx512f"); }

// Runs work(thread_index) on `threads` threads started together; returns the seconds
// until the last one finished.
template <class Work>
double timed_on_threads(int threads, Work work) {
  std::vector<std::thread> pool;
  const auto start = Clock::now();
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& th : pool) th.join();
  return std::chrono::duration<double>(Clock::now() - start).count();
}

volatile float sink;

}  // namespace

FmaPeak measure_fma_peak(int threads, int repeats) {
  threads = std::max(threads, 1);
  const bool wide = has_avx512();
  const int lanes = wide ? 16 : 8;
  constexpr long kIterations = 3'000'000;  // 36M FMAs per thread: about 0.1 s
  double best = 0;
  for (int r = 0; r < repeats; ++r) {
    const double seconds = timed_on_threads(threads, [&](int) {
      sink = wide ? fma_chains_avx512(kIterations) : fma_chains_avx2(kIterations);
    });
    best = std::max(best, 2.0 * lanes * 12 * kIterations * threads / seconds / 1e9);
  }
  return {best, wide ? "avx512" : "avx2"};
}

double measure_stream_triad_gbs(int threads, int repeats) {
  threads = std::max(threads, 1);
  constexpr std::size_t kElements = std::size_t{32} << 20;
  std::unique_ptr<float[]> a(new float[kElements]), b(new float[kElements]), c(new float[kElements]);
  const std::size_t per_thread = (kElements + threads - 1) / threads;
  auto range = [&](int t, auto body) {
    const std::size_t begin = std::min(kElements, t * per_thread), end = std::min(kElements, begin + per_thread);
    for (std::size_t i = begin; i < end; ++i) body(i);
  };
  // Each thread first touches the part it will stream, so its pages sit near it.
  timed_on_threads(threads, [&](int t) {
    range(t, [&](std::size_t i) {
      a[i] = 0.0f;
      b[i] = 1.0f;
      c[i] = 2.0f;
    });
  });
  double best = 0;
  const float s = 3.0f;
  for (int r = 0; r < repeats; ++r) {
    const double seconds =
        timed_on_threads(threads, [&](int t) { range(t, [&](std::size_t i) { a[i] = b[i] + s * c[i]; }); });
    best = std::max(best, 12.0 * kElements / seconds / 1e9);
  }
  sink = a[kElements / 2];
  return best;
}

const FmaPeak& fma_peak_per_thread() {
  static const FmaPeak peak = measure_fma_peak(1);
  return peak;
}

}  // namespace tg::bench
