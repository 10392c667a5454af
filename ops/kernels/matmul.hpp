#pragma once
// Matrix products: f32 on oneDNN's matmul primitive (dnnl_matmul.cpp, dnnl_linear.cpp),
// f64 on the reference loops of matmul_reference.cpp.
#include "tapegrad/tensor.hpp"

namespace tg::kernels {

// out[..., M, N] (contiguous) = a[..., M, K] x b[..., K, N]; a and b (strided, batch
// strides may be 0) have out's batch dims.
void matmul(const Tensor& a, const Tensor& b, const Tensor& out);
void matmul_f32(const Tensor& a, const Tensor& b, const Tensor& out);

// out [M, N] (contiguous) = x [M, K] weight[N, K]^T + bias [N]; bias may be undefined.
void linear(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& out);
void linear_f32(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& out);

// The column sums of dy [M, N] (strided), as a new [N] tensor: linear's bias gradient.
// A plain loop: oneDNN 2.6 runs this reduction on its reference implementation, at
// 10 ns per element (8% of a 64x3136->128 training step).
Tensor column_sums(const Tensor& dy);

}  // namespace tg::kernels
