// f64 convolution kernels: direct loops over contiguous NCHW / OIHW data, one
// (image, channel) plane per parallel item. f32 goes to oneDNN (dnnl_conv.cpp).
#include <algorithm>

#include "kernels/conv.hpp"
#include "kernels/dense.hpp"
#include "tapegrad/parallel_for.hpp"

namespace tg::kernels {

namespace {

// Calls f(output offset, input offset) for each output position whose tap (kh, kw)
// lands inside the input plane rather than in the padding.
template <class F>
void for_each_tap(const ConvGeometry& g, std::int64_t kh, std::int64_t kw, F&& f) {
  for (std::int64_t oh = 0; oh < g.out_h; ++oh) {
    const std::int64_t ih = oh * g.stride_h - g.pad_h + kh * g.dilation_h;
    if (ih < 0 || ih >= g.in_h) continue;
    for (std::int64_t ow = 0; ow < g.out_w; ++ow) {
      const std::int64_t iw = ow * g.stride_w - g.pad_w + kw * g.dilation_w;
      if (iw >= 0 && iw < g.in_w) f(oh * g.out_w + ow, ih * g.in_w + iw);
    }
  }
}

// The grain of parallel_for over `items` planes that share the convolution's work.
std::int64_t plane_grain(const ConvGeometry& g, std::int64_t items) {
  return grain_for_work(static_cast<std::int64_t>(g.flops() / static_cast<double>(std::max<std::int64_t>(items, 1))));
}

// y[n, o] = b[o] + sum over the group's channels c and taps of x[n, c] w[o, c].
template <class T>
void reference_forward(const ConvGeometry& g, const T* x, const T* w, const T* b, T* y) {
  const std::int64_t cg = g.in_per_group(), og = g.out_per_group(), taps = g.kernel_h * g.kernel_w;
  const std::int64_t plane_in = g.in_h * g.in_w, plane_out = g.out_h * g.out_w;
  const std::int64_t items = g.batch * g.out_channels;
  parallel_for(items, plane_grain(g, items), [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t item = begin; item < end; ++item) {
      const std::int64_t n = item / g.out_channels, o = item % g.out_channels;
      T* yp = y + item * plane_out;
      std::fill(yp, yp + plane_out, b ? b[o] : T(0));
      const std::int64_t c0 = o / og * cg;
      for (std::int64_t c = 0; c < cg; ++c) {
        const T* xp = x + (n * g.in_channels + c0 + c) * plane_in;
        const T* wp = w + (o * cg + c) * taps;
        for (std::int64_t kh = 0; kh < g.kernel_h; ++kh)
          for (std::int64_t kw = 0; kw < g.kernel_w; ++kw) {
            const T wv = wp[kh * g.kernel_w + kw];
            for_each_tap(g, kh, kw, [&](std::int64_t out, std::int64_t in) { yp[out] += wv * xp[in]; });
          }
      }
    }
  });
}

// dx[n, c] = sum over the group's output channels o and taps of dy[n, o] w[o, c].
template <class T>
void reference_backward_input(const ConvGeometry& g, const T* dy, const T* w, T* dx) {
  const std::int64_t cg = g.in_per_group(), og = g.out_per_group(), taps = g.kernel_h * g.kernel_w;
  const std::int64_t plane_in = g.in_h * g.in_w, plane_out = g.out_h * g.out_w;
  const std::int64_t items = g.batch * g.in_channels;
  parallel_for(items, plane_grain(g, items), [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t item = begin; item < end; ++item) {
      const std::int64_t n = item / g.in_channels, c = item % g.in_channels;
      T* dxp = dx + item * plane_in;
      std::fill(dxp, dxp + plane_in, T(0));
      const std::int64_t group = c / cg, o0 = group * og;
      for (std::int64_t o = o0; o < o0 + og; ++o) {
        const T* dyp = dy + (n * g.out_channels + o) * plane_out;
        const T* wp = w + (o * cg + c - group * cg) * taps;
        for (std::int64_t kh = 0; kh < g.kernel_h; ++kh)
          for (std::int64_t kw = 0; kw < g.kernel_w; ++kw) {
            const T wv = wp[kh * g.kernel_w + kw];
            for_each_tap(g, kh, kw, [&](std::int64_t out, std::int64_t in) { dxp[in] += wv * dyp[out]; });
          }
      }
    }
  });
}

// dw[o, c] = sum over the batch and output positions of dy[n, o] x[n, c] (shifted by the tap).
template <class T>
void reference_backward_weight(const ConvGeometry& g, const T* dy, const T* x, T* dw) {
  const std::int64_t cg = g.in_per_group(), og = g.out_per_group(), taps = g.kernel_h * g.kernel_w;
  const std::int64_t plane_in = g.in_h * g.in_w, plane_out = g.out_h * g.out_w;
  const std::int64_t items = g.out_channels * cg;
  parallel_for(items, plane_grain(g, items), [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t item = begin; item < end; ++item) {
      const std::int64_t o = item / cg, c = item % cg;
      T* dwp = dw + item * taps;
      std::fill(dwp, dwp + taps, T(0));
      const std::int64_t ci = o / og * cg + c;
      for (std::int64_t n = 0; n < g.batch; ++n) {
        const T* dyp = dy + (n * g.out_channels + o) * plane_out;
        const T* xp = x + (n * g.in_channels + ci) * plane_in;
        for (std::int64_t kh = 0; kh < g.kernel_h; ++kh)
          for (std::int64_t kw = 0; kw < g.kernel_w; ++kw) {
            T acc = 0;
            for_each_tap(g, kh, kw, [&](std::int64_t out, std::int64_t in) { acc += dyp[out] * xp[in]; });
            dwp[kh * g.kernel_w + kw] += acc;
          }
      }
    }
  });
}

// db[o] = sum over n, h, w of dy[n, o, h, w] (accumulated in double).
template <class T>
void channel_sums(const T* dy, std::int64_t batch, std::int64_t channels, std::int64_t plane, T* db) {
  parallel_for(channels, grain_for_work(batch * plane), [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t o = begin; o < end; ++o) {
      double acc = 0;
      for (std::int64_t n = 0; n < batch; ++n) {
        const T* p = dy + (n * channels + o) * plane;
        for (std::int64_t i = 0; i < plane; ++i) acc += p[i];
      }
      db[o] = static_cast<T>(acc);
    }
  });
}

}  // namespace

void conv2d_forward(const ConvGeometry& g, const Tensor& x, const Tensor& w, const Tensor& b, const Tensor& y) {
  if (x.dtype() == f32) return conv2d_forward_f32(g, x, w, b, y);
  const Tensor xc = dense(x), wc = dense(w), bc = dense(b);
  reference_forward<double>(g, xc.data<double>(), wc.data<double>(), bc.defined() ? bc.data<double>() : nullptr,
                            y.data<double>());
}

void conv2d_backward_input(const ConvGeometry& g, const Tensor& dy, const Tensor& w, const Tensor& dx) {
  if (dy.dtype() == f32) return conv2d_backward_input_f32(g, dy, w, dx);
  const Tensor dyc = dense(dy), wc = dense(w);
  reference_backward_input<double>(g, dyc.data<double>(), wc.data<double>(), dx.data<double>());
}

void conv2d_backward_weight(const ConvGeometry& g, const Tensor& dy, const Tensor& x, const Tensor& dw) {
  if (dy.dtype() == f32) return conv2d_backward_weight_f32(g, dy, x, dw);
  const Tensor dyc = dense(dy), xc = dense(x);
  reference_backward_weight<double>(g, dyc.data<double>(), xc.data<double>(), dw.data<double>());
}

void conv2d_backward_bias(const Tensor& dy, const Tensor& db) {
  const Tensor c = dense(dy);
  dispatch_floating(dy.dtype(), [&](auto t) {
    using T = decltype(t);
    channel_sums<T>(c.data<T>(), dy.size(0), dy.size(1), dy.size(2) * dy.size(3), db.data<T>());
  });
}

}  // namespace tg::kernels
