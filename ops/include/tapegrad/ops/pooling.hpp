#pragma once
// 2-D pooling on [N, C, H, W] tensors. f32 runs on oneDNN's pooling primitive (plain
// loops for small inputs), f64 on reference kernels. Output size per spatial dim:
// floor((in + 2 padding - kernel) / stride) + 1 (PyTorch's floor mode).
#include <cstdint>

#include "tapegrad/random.hpp"
#include "tapegrad/ops/size2d.hpp"
#include "tapegrad/tensor.hpp"

namespace tg {

// Max over each kernel window (padding never wins: it is -inf). stride defaults to
// the kernel; padding is at most half the kernel.
Tensor max_pool2d(const Tensor& x, Size2d kernel);
Tensor max_pool2d(const Tensor& x, Size2d kernel, Size2d stride, Size2d padding = 0);
// The gradient of max_pool2d: grad_output routed to the maximum of each window of
// input (summed where windows overlap). Differentiable in grad_output (its gradient
// gathers the incoming gradient at the same maxima); constant in input.
Tensor max_pool2d_backward(const Tensor& grad_output, const Tensor& input, Size2d kernel, Size2d stride,
                           Size2d padding = 0);

// Mean over each window. count_include_pad: padded zeros count in the divisor
// (kernel area); otherwise only the input elements inside the window do.
Tensor avg_pool2d(const Tensor& x, Size2d kernel);
Tensor avg_pool2d(const Tensor& x, Size2d kernel, Size2d stride, Size2d padding = 0, bool count_include_pad = true);

// Mean over H and W: [N, C, H, W] -> [N, C, 1, 1].
Tensor global_avg_pool2d(const Tensor& x);

// Fractional max pooling (Graham 2014, "pseudorandom disjoint" regions): each spatial
// dim of size in is cut into `out` consecutive regions of size floor(a) or ceil(a),
// a = in / out, at boundaries ceil(a (i + u)) - ceil(a u) with u ~ U[0, 1) drawn per
// image and per dim from gen (the thread's default generator when null). The same
// generator state gives the same regions. 1 <= out <= in.
Tensor fractional_max_pool2d(const Tensor& x, Size2d output_size, Generator* gen = nullptr);
// output size = floor(ratio * input size) per dim (at least 1), ratio in (0, 1].
Tensor fractional_max_pool2d(const Tensor& x, double ratio, Generator* gen = nullptr);

}  // namespace tg
