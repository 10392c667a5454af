#pragma once
// conv2d with padding "same" or a padding mode other than zeros (conv_padding.cpp).
#include "tapegrad/ops/conv.hpp"

namespace tg {

// The input padded explicitly (tg::pad in options.padding_mode), then conv2d with
// zero padding: options.padding_same or options.padding_mode != constant.
Tensor conv2d_padded(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv2dOptions& options);

}  // namespace tg
