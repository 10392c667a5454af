#pragma once
#include "tapegrad/tensor.hpp"

namespace tg::kernels {

// True when an f32 tensor holds a NaN. oneDNN's max-based kernels (max pooling, max/min
// reductions, binary max/min, softmax's row max) drop NaN, so ops that use them check
// this first and take their reference loop (which propagates NaN, as NumPy and PyTorch
// do) when it is true. f64 never runs on oneDNN: false.
bool f32_has_nan(const Tensor& t);

}  // namespace tg::kernels
