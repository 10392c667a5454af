#include "kernels/max_pool_2x2.hpp"

#include <immintrin.h>

#include <algorithm>
#include <type_traits>

#include "tapegrad/parallel_for.hpp"

namespace tg::kernels {

namespace {

// The first maximum of (a, b) in window order, NaN winning: b replaces a when it is
// greater, or when it is NaN and a is not. Selects, not branches, so the loops vectorize.
template <class T>
inline bool replaces(T b, T a) {
  return (b > a) | ((b != b) & (a == a));  // bitwise: no branches to mispredict
}

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
// f32 with AVX-512: 16 outputs per step, the row's tail under a mask. A row is often
// shorter than a vector (14 or 7 outputs after a 28x28 plane), so the compiler's
// vectorized loop, which leaves the tail to scalar code, would rarely run.

// The even and odd elements of the 2n floats at p (n <= 16, the rest masked off).
inline void load_pairs(const float* p, std::int64_t n, __m512& even, __m512& odd) {
  const __mmask32 valid = static_cast<__mmask32>((std::uint64_t{1} << (2 * n)) - 1);
  const __m512 lo = _mm512_maskz_loadu_ps(static_cast<__mmask16>(valid), p);
  const __m512 hi = _mm512_maskz_loadu_ps(static_cast<__mmask16>(valid >> 16), p + 16);
  const __m512i evens = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odds = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
  even = _mm512_permutex2var_ps(lo, evens, hi);
  odd = _mm512_permutex2var_ps(lo, odds, hi);
}

// b replaces best where replaces(b, best), recording `position` there.
inline void take_if_replaces(__m512 b, int position, __m512& best, __m512i& where) {
  const __mmask16 greater = _mm512_cmp_ps_mask(b, best, _CMP_GT_OQ);
  const __mmask16 nan_over_number = _mm512_cmp_ps_mask(b, b, _CMP_UNORD_Q) & _mm512_cmp_ps_mask(best, best, _CMP_ORD_Q);
  const __mmask16 take = greater | nan_over_number;
  best = _mm512_mask_mov_ps(best, take, b);
  where = _mm512_mask_mov_epi32(where, take, _mm512_set1_epi32(position));
}

template <bool kRecord>
void pool_row_vector(const float* top, const float* bottom, float* out, std::uint8_t* at, std::int64_t ow) {
  for (std::int64_t j = 0; j < ow; j += 16) {
    const std::int64_t n = std::min<std::int64_t>(16, ow - j);
    const __mmask16 valid = static_cast<__mmask16>((1u << n) - 1);
    __m512 a, b, c, d;
    load_pairs(top + 2 * j, n, a, b);
    load_pairs(bottom + 2 * j, n, c, d);
    __m512 best = a;
    __m512i where = _mm512_setzero_si512();
    take_if_replaces(b, 1, best, where);
    take_if_replaces(c, 2, best, where);
    take_if_replaces(d, 3, best, where);
    _mm512_mask_storeu_ps(out + j, valid, best);
    if constexpr (kRecord) _mm_mask_storeu_epi8(at + j, valid, _mm512_maskz_cvtepi32_epi8(valid, where));
  }
}

// Writes the 2n floats of the pairs (even[i], odd[i]) at p.
inline void store_pairs(float* p, std::int64_t n, __m512 even, __m512 odd) {
  const __mmask32 valid = static_cast<__mmask32>((std::uint64_t{1} << (2 * n)) - 1);
  const __m512i low = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const __m512i high = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  _mm512_mask_storeu_ps(p, static_cast<__mmask16>(valid), _mm512_permutex2var_ps(even, low, odd));
  _mm512_mask_storeu_ps(p + 16, static_cast<__mmask16>(valid >> 16), _mm512_permutex2var_ps(even, high, odd));
}

void unpool_row_vector(const float* grad, const std::uint8_t* at, float* top, float* bottom, std::int64_t ow) {
  for (std::int64_t j = 0; j < ow; j += 16) {
    const std::int64_t n = std::min<std::int64_t>(16, ow - j);
    const __mmask16 valid = static_cast<__mmask16>((1u << n) - 1);
    const __m512 v = _mm512_maskz_loadu_ps(valid, grad + j);
    const __m512i p = _mm512_maskz_cvtepu8_epi32(valid, _mm_maskz_loadu_epi8(valid, at + j));
    auto at_position = [&](int k) { return _mm512_maskz_mov_ps(_mm512_cmpeq_epi32_mask(p, _mm512_set1_epi32(k)), v); };
    store_pairs(top + 2 * j, n, at_position(0), at_position(1));
    store_pairs(bottom + 2 * j, n, at_position(2), at_position(3));
  }
}
#endif

// One output row: the windows of input rows top and bottom. The pointers never alias
// (restrict), which lets GCC vectorize the stride-2 reads and the selects.
template <class T, bool kRecord>
void pool_row(const T* __restrict top, const T* __restrict bottom, T* __restrict out, std::uint8_t* __restrict at,
              std::int64_t ow) {
#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
  if constexpr (std::is_same_v<T, float>) return pool_row_vector<kRecord>(top, bottom, out, at, ow);
#endif
  for (std::int64_t j = 0; j < ow; ++j) {
    const T a = top[2 * j], b = top[2 * j + 1], c = bottom[2 * j], d = bottom[2 * j + 1];
    T best = a;
    std::uint8_t where = 0;
    const bool rb = replaces(b, best);
    best = rb ? b : best;
    where = rb ? 1 : where;
    const bool rc = replaces(c, best);
    best = rc ? c : best;
    where = rc ? 2 : where;
    const bool rd = replaces(d, best);
    best = rd ? d : best;
    where = rd ? 3 : where;
    out[j] = best;
    if constexpr (kRecord) at[j] = where;
  }
}

template <class T>
void unpool_row(const T* __restrict grad, const std::uint8_t* __restrict at, T* __restrict top, T* __restrict bottom,
                std::int64_t ow) {
#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
  if constexpr (std::is_same_v<T, float>) return unpool_row_vector(grad, at, top, bottom, ow);
#endif
  for (std::int64_t j = 0; j < ow; ++j) {
    const T v = grad[j];
    const std::uint8_t p = at[j];
    top[2 * j] = p == 0 ? v : T(0);
    top[2 * j + 1] = p == 1 ? v : T(0);
    bottom[2 * j] = p == 2 ? v : T(0);
    bottom[2 * j + 1] = p == 3 ? v : T(0);
  }
}

// Rows of output (plane, oh) in parallel, about kGrainElements inputs per chunk.
template <class Fn>
void for_output_rows(const PoolGeometry& g, Fn&& fn) {
  parallel_for(g.planes() * g.oh, std::max<std::int64_t>(1, kGrainElements / (4 * g.ow)),
               [&](std::int64_t begin, std::int64_t end) {
                 for (std::int64_t r = begin; r < end; ++r) fn(r, r / g.oh, r % g.oh);
               });
}

template <class T>
void forward_rows(const PoolGeometry& g, const T* x, T* y, std::uint8_t* positions) {
  for_output_rows(g, [&](std::int64_t r, std::int64_t plane, std::int64_t oh) {
    const T* top = x + plane * g.h * g.w + 2 * oh * g.w;
    if (positions) {
      pool_row<T, true>(top, top + g.w, y + r * g.ow, positions + r * g.ow, g.ow);
    } else {
      pool_row<T, false>(top, top + g.w, y + r * g.ow, nullptr, g.ow);
    }
  });
}

template <class T>
void backward_rows(const PoolGeometry& g, const T* dy, const std::uint8_t* positions, T* dx) {
  const std::int64_t w = g.w;
  const bool odd_w = w > 2 * g.ow, odd_h = g.h > 2 * g.oh;
  for_output_rows(g, [&](std::int64_t r, std::int64_t plane, std::int64_t oh) {
    T* top = dx + plane * g.h * w + 2 * oh * w;
    T* bottom = top + w;
    unpool_row(dy + r * g.ow, positions + r * g.ow, top, bottom, g.ow);
    if (odd_w) top[w - 1] = bottom[w - 1] = T(0);
    if (odd_h && oh == g.oh - 1)
      for (std::int64_t k = 0; k < w; ++k) bottom[w + k] = T(0);
  });
}

}  // namespace

bool is_max_pool_2x2(const PoolGeometry& g) {
  return g.kh == 2 && g.kw == 2 && g.sh == 2 && g.sw == 2 && g.ph == 0 && g.pw == 0 && g.oh == g.h / 2 &&
         g.ow == g.w / 2 && g.oh > 0 && g.ow > 0;
}

void max_pool_2x2_forward(const PoolGeometry& g, const Tensor& x, const Tensor& y, std::uint8_t* positions) {
  dispatch_floating(x.dtype(), [&](auto t) {
    using T = decltype(t);
    forward_rows<T>(g, x.data<T>(), y.data<T>(), positions);
  });
}

void max_pool_2x2_backward(const PoolGeometry& g, const Tensor& dy, const std::uint8_t* positions, const Tensor& dx) {
  dispatch_floating(dy.dtype(), [&](auto t) {
    using T = decltype(t);
    backward_rows<T>(g, dy.data<T>(), positions, dx.data<T>());
  });
}

}  // namespace tg::kernels
