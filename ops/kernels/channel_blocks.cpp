#include "kernels/channel_blocks.hpp"

// GCC 12 reports its own AVX-512 headers (the undefined source operand of the unmasked
// shuffles) as maybe-uninitialized; the pragma must cover the header, where it points.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include "tapegrad/error.hpp"
#include "tapegrad/parallel_for.hpp"

namespace tg::kernels {

#if defined(__AVX512F__)

namespace {

// r[i] (row i of a 16x16 tile) becomes column i: 32-bit, then 64-bit interleaves within
// 128-bit lanes, then two rounds of lane shuffles.
inline void transpose16x16(__m512 r[16]) {
  __m512 t[16];
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  auto lo = [](__m512 a, __m512 b) {
    return _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(a), _mm512_castps_pd(b)));
  };
  auto hi = [](__m512 a, __m512 b) {
    return _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(a), _mm512_castps_pd(b)));
  };
  // After this, lane L of r[4i + k] holds rows 4i..4i+3 of column 4L + k.
  for (int i = 0; i < 4; ++i) {
    r[4 * i] = lo(t[4 * i], t[4 * i + 2]);
    r[4 * i + 1] = hi(t[4 * i], t[4 * i + 2]);
    r[4 * i + 2] = lo(t[4 * i + 1], t[4 * i + 3]);
    r[4 * i + 3] = hi(t[4 * i + 1], t[4 * i + 3]);
  }
  __m512 out[16];
  for (int k = 0; k < 4; ++k) {
    const __m512 a = _mm512_shuffle_f32x4(r[k], r[4 + k], 0x44), b = _mm512_shuffle_f32x4(r[8 + k], r[12 + k], 0x44);
    const __m512 c = _mm512_shuffle_f32x4(r[k], r[4 + k], 0xEE), d = _mm512_shuffle_f32x4(r[8 + k], r[12 + k], 0xEE);
    out[k] = _mm512_shuffle_f32x4(a, b, 0x88);
    out[4 + k] = _mm512_shuffle_f32x4(a, b, 0xDD);
    out[8 + k] = _mm512_shuffle_f32x4(c, d, 0x88);
    out[12 + k] = _mm512_shuffle_f32x4(c, d, 0xDD);
  }
  for (int i = 0; i < 16; ++i) r[i] = out[i];
}

// Runs fn(plain block, blocked block) for every (image, channel block) in parallel.
template <class Fn>
void for_blocks(std::int64_t n, std::int64_t c, std::int64_t hw, Fn&& fn) {
  const std::int64_t blocks = n * (c / 16), block_elements = 16 * hw;
  parallel_for(blocks, std::max<std::int64_t>(1, kGrainElements / block_elements),
               [&](std::int64_t begin, std::int64_t end) {
                 for (std::int64_t b = begin; b < end; ++b) fn(b * block_elements);
               });
}

}  // namespace

bool has_channel_block_copies() { return true; }

void nchw_to_blocked16(const float* plain, float* blocked, std::int64_t n, std::int64_t c, std::int64_t hw) {
  TG_CHECK(c % 16 == 0, "nchw_to_blocked16: {} channels is not a multiple of 16", c);
  for_blocks(n, c, hw, [&](std::int64_t offset) {
    const float* src = plain + offset;  // 16 planes of hw
    float* dst = blocked + offset;      // hw rows of 16 channels
    std::int64_t s = 0;
    for (; s + 16 <= hw; s += 16) {
      __m512 r[16];
      for (int ch = 0; ch < 16; ++ch) r[ch] = _mm512_loadu_ps(src + ch * hw + s);
      transpose16x16(r);
      for (int i = 0; i < 16; ++i) _mm512_storeu_ps(dst + (s + i) * 16, r[i]);
    }
    for (; s < hw; ++s)
      for (int ch = 0; ch < 16; ++ch) dst[s * 16 + ch] = src[ch * hw + s];
  });
}

void blocked16_to_nchw(const float* blocked, float* plain, std::int64_t n, std::int64_t c, std::int64_t hw) {
  TG_CHECK(c % 16 == 0, "blocked16_to_nchw: {} channels is not a multiple of 16", c);
  for_blocks(n, c, hw, [&](std::int64_t offset) {
    const float* src = blocked + offset;
    float* dst = plain + offset;
    std::int64_t s = 0;
    for (; s + 16 <= hw; s += 16) {
      __m512 r[16];
      for (int i = 0; i < 16; ++i) r[i] = _mm512_loadu_ps(src + (s + i) * 16);
      transpose16x16(r);
      for (int ch = 0; ch < 16; ++ch) _mm512_storeu_ps(dst + ch * hw + s, r[ch]);
    }
    for (; s < hw; ++s)
      for (int ch = 0; ch < 16; ++ch) dst[ch * hw + s] = src[s * 16 + ch];
  });
}

#else

bool has_channel_block_copies() { return false; }

void nchw_to_blocked16(const float*, float*, std::int64_t, std::int64_t, std::int64_t) {
  fail("nchw_to_blocked16: this build has no AVX-512");
}
void blocked16_to_nchw(const float*, float*, std::int64_t, std::int64_t, std::int64_t) {
  fail("blocked16_to_nchw: this build has no AVX-512");
}

#endif

}  // namespace tg::kernels
