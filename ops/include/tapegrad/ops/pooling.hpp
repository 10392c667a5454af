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
// the kernel; padding is at most half the kernel. dilation spaces the window's taps;
// ceil_mode rounds the output size up (a last, partial window), as in PyTorch:
// output = floor((in + 2 padding - dilation (kernel - 1) - 1 [+ stride - 1]) / stride) + 1,
// less one when a ceil-mode window would start in the right padding.
Tensor max_pool2d(const Tensor& x, Size2d kernel);
Tensor max_pool2d(const Tensor& x, Size2d kernel, Size2d stride, Size2d padding = 0, Size2d dilation = 1,
                  bool ceil_mode = false);

// Pooled values and, for each, the flat position h * W + w in its input plane of the
// element it took (i64, the values' shape): PyTorch's return_indices. The indices
// are a tensor of the caller's (changing them does not change the gradient).
struct PoolWithIndices {
  Tensor values, indices;
};
PoolWithIndices max_pool2d_with_indices(const Tensor& x, Size2d kernel, Size2d stride, Size2d padding = 0,
                                        Size2d dilation = 1, bool ceil_mode = false);

// The inverse of max pooling: out [N, C, output_size] zeros with out[n, c, idx] =
// x[n, c, o] for each idx = indices[n, c, o] (flat positions in the output plane, as
// max_pool2d_with_indices returns them; where two elements name the same position
// their values add, where PyTorch keeps one of them). indices: i64, x's shape.
Tensor max_unpool2d(const Tensor& x, const Tensor& indices, Size2d output_size);
// The output size from the pooling's options: (in - 1) stride - 2 padding + kernel.
Tensor max_unpool2d(const Tensor& x, const Tensor& indices, Size2d kernel, Size2d stride, Size2d padding);

// Adaptive pooling to a fixed output size: output (i, j) pools the window rows
// [floor(i H / OH), ceil((i + 1) H / OH)) x columns [floor(j W / OW), ceil((j + 1) W / OW)).
Tensor adaptive_avg_pool2d(const Tensor& x, Size2d output_size);
Tensor adaptive_max_pool2d(const Tensor& x, Size2d output_size);
PoolWithIndices adaptive_max_pool2d_with_indices(const Tensor& x, Size2d output_size);
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
