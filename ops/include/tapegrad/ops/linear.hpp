#pragma once
#include "tapegrad/tensor.hpp"

namespace tg {

// x [..., in] times weight^T plus bias: weight is [out, in] (PyTorch's convention),
// bias [out] or undefined; returns [..., out]. f32 runs on one oneDNN matmul with the
// bias fused, f64 on a reference loop.
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = {});

}  // namespace tg
