// The fractional max pooling kernel (both dtypes): each output element is the
// maximum of its region; NaN wins and stays, as in PyTorch.
#include "kernels/fractional_max_pool.hpp"

#include <algorithm>

#include "kernels/dense.hpp"
#include "tapegrad/parallel_for.hpp"

namespace tg::kernels {

namespace {

template <class T>
void fractional_max_pool_reference(const Tensor& x, const std::vector<std::int64_t>& rows,
                                   const std::vector<std::int64_t>& cols, const Tensor& y, const Tensor& indices) {
  const std::int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  const std::int64_t OH = y.size(2), OW = y.size(3);
  const T* xp = x.data<T>();
  T* yp = y.data<T>();
  std::int64_t* ip = indices.data<std::int64_t>();
  const std::int64_t grain = std::max<std::int64_t>(1, kGrainElements / std::max<std::int64_t>(1, H * W));
  parallel_for(N * C, grain, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t p = begin; p < end; ++p) {
      const std::int64_t n = p / C;
      const std::int64_t* __restrict r = rows.data() + n * (OH + 1);
      const std::int64_t* __restrict c = cols.data() + n * (OW + 1);
      const T* __restrict plane = xp + p * H * W;
      T* __restrict y_plane = yp + p * OH * OW;
      std::int64_t* __restrict i_plane = ip + p * OH * OW;
      for (std::int64_t oh = 0; oh < OH; ++oh) {
        const std::int64_t h0 = r[oh], h1 = r[oh + 1];
        for (std::int64_t ow = 0; ow < OW; ++ow) {
          const std::int64_t w0 = c[ow], w1 = c[ow + 1];
          std::int64_t best_at = h0 * W + w0;
          T best = plane[best_at];
          for (std::int64_t h = h0; h < h1; ++h)
            for (std::int64_t w = w0; w < w1; ++w) {
              const T v = plane[h * W + w];
              const bool take = (v > best) | ((v != v) & (best == best));  // NaN wins and stays
              best = take ? v : best;
              best_at = take ? h * W + w : best_at;
            }
          y_plane[oh * OW + ow] = best;
          i_plane[oh * OW + ow] = best_at;
        }
      }
    }
  });
}

}  // namespace

void fractional_max_pool_forward(const Tensor& x, const std::vector<std::int64_t>& rows,
                                 const std::vector<std::int64_t>& cols, const Tensor& y, const Tensor& indices) {
  const Tensor xc = dense(x);
  dispatch_floating(x.dtype(), [&](auto t) { fractional_max_pool_reference<decltype(t)>(xc, rows, cols, y, indices); });
}

}  // namespace tg::kernels
