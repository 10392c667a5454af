#pragma once
// A separable linear resampling of [N, C, H, W] planes (kernels/resample.hpp) as a
// pair of adjoint ops, each one's gradient the other: upsampling (nearest, bilinear)
// and adaptive average pooling are this op with their own taps, differentiable to
// any order.
#include <memory>

#include "kernels/resample.hpp"
#include "tapegrad/tensor.hpp"

namespace tg::ops {

// Node names of one resampling's pair of ops (for error and anomaly messages).
struct ResampleNames {
  const char* forward;  // e.g. "upsample_bilinear2d"
  const char* adjoint;  // e.g. "upsample_bilinear2d_backward"
};

using SharedTaps = std::shared_ptr<const kernels::Taps2d>;

// x [N, C, rows.in, cols.in] -> [N, C, rows.out(), cols.out()] (shapes checked by the caller).
Tensor resample(const Tensor& x, SharedTaps taps, ResampleNames names);
// g [N, C, rows.out(), cols.out()] -> [N, C, rows.in, cols.in], the adjoint map.
Tensor resample_adjoint(const Tensor& g, SharedTaps taps, ResampleNames names);

}  // namespace tg::ops
