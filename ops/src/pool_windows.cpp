#include "pool_windows.hpp"

#include "op_pattern.hpp"
#include "tapegrad/error.hpp"

namespace tg::ops {

kernels::Taps1d adaptive_windows(std::int64_t in, std::int64_t out) {
  kernels::Taps1d t;
  t.in = in;
  for (std::int64_t i = 0; i < out; ++i) {
    const std::int64_t begin = i * in / out, end = ((i + 1) * in + out - 1) / out;
    const double w = 1.0 / static_cast<double>(end - begin);
    for (std::int64_t k = begin; k < end; ++k) t.add(k, w);
    t.close_output();
  }
  return t;
}

std::int64_t max_pool_output_size(std::int64_t in, std::int64_t kernel, std::int64_t stride, std::int64_t padding,
                                  std::int64_t dilation, bool ceil_mode) {
  const std::int64_t span = in + 2 * padding - dilation * (kernel - 1) - 1;
  if (span < 0) return 0;
  std::int64_t out = (span + (ceil_mode ? stride - 1 : 0)) / stride + 1;
  if (ceil_mode && (out - 1) * stride >= in + padding) --out;
  return out;
}

kernels::Taps1d max_pool_windows(const char* op, std::int64_t in, std::int64_t out, std::int64_t kernel,
                                 std::int64_t stride, std::int64_t padding, std::int64_t dilation) {
  kernels::Taps1d t;
  t.in = in;
  for (std::int64_t o = 0; o < out; ++o) {
    const std::int64_t start = o * stride - padding;
    const auto before = t.index.size();
    for (std::int64_t k = 0; k < kernel; ++k) {
      const std::int64_t at = start + k * dilation;
      if (at >= 0 && at < in) t.add(at, 1.0);
    }
    TG_CHECK(t.index.size() > before,
             "{}: window {} (positions {} + {} k, k < {}) holds no input element of the {} along its dim; lower the "
             "padding or dilation",
             op, o, start, dilation, kernel, in);
    t.close_output();
  }
  return t;
}

void check_pool_input(const char* op, const Tensor& x) {
  check_floating(op, x);
  TG_CHECK(x.dim() == 4, "{}: input has {} dims {}, expected 4 (N, C, H, W)", op, x.dim(), x.shape().str());
}

void check_pool_window(const char* op, Size2d k, Size2d s, Size2d p) {
  TG_CHECK(k.h >= 1 && k.w >= 1, "{}: kernel ({}, {}) must be at least 1 in each dim", op, k.h, k.w);
  TG_CHECK(s.h >= 1 && s.w >= 1, "{}: stride ({}, {}) must be at least 1 in each dim", op, s.h, s.w);
  TG_CHECK(p.h >= 0 && p.w >= 0, "{}: padding ({}, {}) must not be negative", op, p.h, p.w);
  TG_CHECK(2 * p.h <= k.h && 2 * p.w <= k.w, "{}: padding ({}, {}) is more than half the kernel ({}, {})", op, p.h, p.w,
           k.h, k.w);
}

PoolWithIndices max_over_windows(const Tensor& x, const kernels::Taps2d& taps, IndexOpNames names) {
  Tensor indices = empty({x.size(0), x.size(1), taps.rows.out(), taps.cols.out()}, i64);
  kernels::window_argmax(taps, x, indices);
  Tensor values = index_gather(x, indices, names);
  // The index ops keep indices as their own (unversioned): the caller gets a copy.
  return {std::move(values), indices.clone()};
}

}  // namespace tg::ops
