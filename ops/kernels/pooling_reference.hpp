#pragma once
// Reference kernels of max and average pooling (f64 always; f32 below the oneDNN
// threshold). Inputs and outputs are contiguous [N, C, ., .]; planes run in parallel.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "kernels/pool_geometry.hpp"
#include "tapegrad/parallel_for.hpp"

namespace tg::kernels {

// Runs fn(plane, oh, ow, h0, h1, w0, w1) for every output element, with [h0, h1) x
// [w0, w1) its window clipped to the input.
template <class Fn>
void for_each_window(const PoolGeometry& g, Fn&& fn) {
  const std::int64_t per_plane = std::max<std::int64_t>(1, g.out_plane() * g.kh * g.kw);
  parallel_for(g.planes(), std::max<std::int64_t>(1, kGrainElements / per_plane), [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t p = begin; p < end; ++p)
      for (std::int64_t oh = 0; oh < g.oh; ++oh) {
        const std::int64_t hs = oh * g.sh - g.ph;
        const std::int64_t h0 = std::max<std::int64_t>(hs, 0), h1 = std::min(hs + g.kh, g.h);
        for (std::int64_t ow = 0; ow < g.ow; ++ow) {
          const std::int64_t ws = ow * g.sw - g.pw;
          const std::int64_t w0 = std::max<std::int64_t>(ws, 0), w1 = std::min(ws + g.kw, g.w);
          fn(p, oh, ow, h0, h1, w0, w1);
        }
      }
  });
}

// y = max of each window; indices (may be null) = flat position in the plane of the
// first maximum. NaN wins (and stays), as in PyTorch.
template <class T>
void max_pool_reference(const PoolGeometry& g, const T* x, T* y, std::int64_t* indices) {
  for_each_window(g, [&](std::int64_t p, std::int64_t oh, std::int64_t ow, std::int64_t h0, std::int64_t h1,
                         std::int64_t w0, std::int64_t w1) {
    const T* plane = x + p * g.in_plane();
    std::int64_t best_at = h0 * g.w + w0;
    T best = plane[best_at];
    for (std::int64_t h = h0; h < h1; ++h)
      for (std::int64_t w = w0; w < w1; ++w) {
        const T v = plane[h * g.w + w];
        if (v > best || (std::isnan(v) && !std::isnan(best))) {
          best = v;
          best_at = h * g.w + w;
        }
      }
    const std::int64_t o = p * g.out_plane() + oh * g.ow + ow;
    y[o] = best;
    if (indices) indices[o] = best_at;
  });
}

// Divisor of a window: the kernel area (windows never pass the padded border in floor
// mode), or the input elements in it.
inline std::int64_t avg_divisor(const PoolGeometry& g, bool include_pad, std::int64_t h0, std::int64_t h1,
                                std::int64_t w0, std::int64_t w1) {
  return include_pad ? g.kh * g.kw : (h1 - h0) * (w1 - w0);
}

template <class T>
void avg_pool_reference(const PoolGeometry& g, bool include_pad, const T* x, T* y) {
  for_each_window(g, [&](std::int64_t p, std::int64_t oh, std::int64_t ow, std::int64_t h0, std::int64_t h1,
                         std::int64_t w0, std::int64_t w1) {
    const T* plane = x + p * g.in_plane();
    T acc = 0;
    for (std::int64_t h = h0; h < h1; ++h)
      for (std::int64_t w = w0; w < w1; ++w) acc += plane[h * g.w + w];
    y[p * g.out_plane() + oh * g.ow + ow] = acc / static_cast<T>(avg_divisor(g, include_pad, h0, h1, w0, w1));
  });
}

// dx (zeroed by the caller) += dy spread evenly over each window. Windows of one
// plane are visited by one thread, so overlapping windows do not race.
template <class T>
void avg_pool_backward_reference(const PoolGeometry& g, bool include_pad, const T* dy, T* dx) {
  for_each_window(g, [&](std::int64_t p, std::int64_t oh, std::int64_t ow, std::int64_t h0, std::int64_t h1,
                         std::int64_t w0, std::int64_t w1) {
    T* plane = dx + p * g.in_plane();
    const T share =
        dy[p * g.out_plane() + oh * g.ow + ow] / static_cast<T>(avg_divisor(g, include_pad, h0, h1, w0, w1));
    for (std::int64_t h = h0; h < h1; ++h)
      for (std::int64_t w = w0; w < w1; ++w) plane[h * g.w + w] += share;
  });
}

}  // namespace tg::kernels
