// The loops of kernels/resample.hpp: one (image, channel) plane per parallel item, so
// the adjoint's overlapping taps never race.
#include "kernels/resample.hpp"

#include <algorithm>

#include "kernels/dense.hpp"
#include "tapegrad/parallel_for.hpp"

namespace tg::kernels {

namespace {

std::int64_t taps_per_plane(const Taps2d& t) {
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(t.rows.index.size() * t.cols.index.size()));
}

template <class F>
void for_each_plane(const Taps2d& t, std::int64_t planes, F&& f) {
  parallel_for(planes, grain_for_work(taps_per_plane(t)), [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t p = begin; p < end; ++p) f(p);
  });
}

template <class T>
void forward_planes(const Taps2d& t, const T* x, T* y, std::int64_t planes) {
  const Taps1d &r = t.rows, &c = t.cols;
  const std::int64_t in_plane = r.in * c.in, out_plane = r.out() * c.out();
  for_each_plane(t, planes, [&](std::int64_t p) {
    const T* xp = x + p * in_plane;
    T* yp = y + p * out_plane;
    for (std::int64_t oh = 0; oh < r.out(); ++oh)
      for (std::int64_t ow = 0; ow < c.out(); ++ow) {
        double acc = 0;
        for (std::int64_t a = r.start[oh]; a < r.start[oh + 1]; ++a) {
          const T* row = xp + r.index[a] * c.in;
          double row_acc = 0;
          for (std::int64_t b = c.start[ow]; b < c.start[ow + 1]; ++b) row_acc += c.weight[b] * row[c.index[b]];
          acc += r.weight[a] * row_acc;
        }
        yp[oh * c.out() + ow] = static_cast<T>(acc);
      }
  });
}

template <class T>
void adjoint_planes(const Taps2d& t, const T* dy, T* dx, std::int64_t planes) {
  const Taps1d &r = t.rows, &c = t.cols;
  const std::int64_t in_plane = r.in * c.in, out_plane = r.out() * c.out();
  for_each_plane(t, planes, [&](std::int64_t p) {
    T* dxp = dx + p * in_plane;
    const T* dyp = dy + p * out_plane;
    std::fill(dxp, dxp + in_plane, T(0));
    for (std::int64_t oh = 0; oh < r.out(); ++oh)
      for (std::int64_t ow = 0; ow < c.out(); ++ow) {
        const double g = dyp[oh * c.out() + ow];
        for (std::int64_t a = r.start[oh]; a < r.start[oh + 1]; ++a) {
          T* row = dxp + r.index[a] * c.in;
          const double ga = g * r.weight[a];
          for (std::int64_t b = c.start[ow]; b < c.start[ow + 1]; ++b) row[c.index[b]] += static_cast<T>(ga * c.weight[b]);
        }
      }
  });
}

template <class T>
void argmax_planes(const Taps2d& t, const T* x, std::int64_t* indices, std::int64_t planes) {
  const Taps1d &r = t.rows, &c = t.cols;
  const std::int64_t in_plane = r.in * c.in, out_plane = r.out() * c.out();
  for_each_plane(t, planes, [&](std::int64_t p) {
    const T* xp = x + p * in_plane;
    std::int64_t* ip = indices + p * out_plane;
    for (std::int64_t oh = 0; oh < r.out(); ++oh)
      for (std::int64_t ow = 0; ow < c.out(); ++ow) {
        std::int64_t best_at = r.index[r.start[oh]] * c.in + c.index[c.start[ow]];
        T best = xp[best_at];
        for (std::int64_t a = r.start[oh]; a < r.start[oh + 1]; ++a)
          for (std::int64_t b = c.start[ow]; b < c.start[ow + 1]; ++b) {
            const std::int64_t at = r.index[a] * c.in + c.index[b];
            const T v = xp[at];
            const bool take = (v > best) | ((v != v) & (best == best));  // NaN wins and stays
            best = take ? v : best;
            best_at = take ? at : best_at;
          }
        ip[oh * c.out() + ow] = best_at;
      }
  });
}

std::int64_t planes_of(const Tensor& t) { return t.size(0) * t.size(1); }

}  // namespace

void resample_forward(const Taps2d& taps, const Tensor& x, const Tensor& y) {
  const Tensor xc = dense(x);
  dispatch_floating(x.dtype(), [&](auto v) {
    using T = decltype(v);
    forward_planes<T>(taps, xc.data<T>(), y.data<T>(), planes_of(x));
  });
}

void resample_adjoint(const Taps2d& taps, const Tensor& dy, const Tensor& dx) {
  const Tensor dyc = dense(dy);
  dispatch_floating(dy.dtype(), [&](auto v) {
    using T = decltype(v);
    adjoint_planes<T>(taps, dyc.data<T>(), dx.data<T>(), planes_of(dy));
  });
}

void window_argmax(const Taps2d& taps, const Tensor& x, const Tensor& indices) {
  const Tensor xc = dense(x);
  dispatch_floating(x.dtype(), [&](auto v) {
    using T = decltype(v);
    argmax_planes<T>(taps, xc.data<T>(), indices.data<std::int64_t>(), planes_of(x));
  });
}

}  // namespace tg::kernels
