#pragma once
// Every number that shapes one 2-D convolution (checked by the conv ops), shared by
// the reference loops and the oneDNN kernels.
#include <cstdint>

#include "tapegrad/shape.hpp"

namespace tg {

struct ConvGeometry {
  std::int64_t batch = 0, in_channels = 0, in_h = 0, in_w = 0;
  std::int64_t out_channels = 0, kernel_h = 0, kernel_w = 0, out_h = 0, out_w = 0;
  std::int64_t stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0, dilation_h = 1, dilation_w = 1;
  std::int64_t groups = 1;

  std::int64_t in_per_group() const { return in_channels / groups; }
  std::int64_t out_per_group() const { return out_channels / groups; }
  Shape input_shape() const { return {batch, in_channels, in_h, in_w}; }
  Shape weight_shape() const { return {out_channels, in_per_group(), kernel_h, kernel_w}; }
  Shape output_shape() const { return {batch, out_channels, out_h, out_w}; }
  // Multiply-adds times 2 of one forward pass (backward-input and backward-weight
  // each cost the same).
  double flops() const {
    return 2.0 * static_cast<double>(batch * out_channels * out_h * out_w) *
           static_cast<double>(in_per_group() * kernel_h * kernel_w);
  }
};

}  // namespace tg
