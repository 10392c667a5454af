#pragma once
// oneDNN wrappers of convolution (forward, backward-data, backward-weights) and of
// linear (a matmul with the bias fused). f32 only. Tensors come and go in tapegrad's
// plain layouts; the convolution primitives run on the blocked layouts oneDNN picks
// (format_tag::any), and the reorders between the two are cached with the primitive.
#include "conv_geometry.hpp"
#include "tapegrad/tensor.hpp"

namespace tg::backend {

// out [N, O, OH, OW] (contiguous) = conv(x, weight) + bias; bias may be undefined.
void conv2d_forward_f32(const ConvGeometry& g, const Tensor& x, const Tensor& weight, const Tensor& bias,
                        const Tensor& out);
// grad_in [N, C, H, W] (contiguous) = d<grad_out, conv(x, weight)>/dx.
void conv2d_backward_input_f32(const ConvGeometry& g, const Tensor& grad_out, const Tensor& weight,
                               const Tensor& grad_in);
// grad_weight [O, C/groups, KH, KW] (contiguous) = d<grad_out, conv(x, weight)>/dweight.
void conv2d_backward_weight_f32(const ConvGeometry& g, const Tensor& grad_out, const Tensor& x,
                                const Tensor& grad_weight);

// The gradients wanted from one backward call (undefined: not wanted); each is a
// contiguous tensor of its operand's shape. A bias gradient is computed only along
// with the weight gradient (fused into the same primitive).
struct ConvGradients {
  Tensor input, weight, bias;
};
// All gradients of conv(x, weight) + bias in one call: grad_out is reordered to
// oneDNN's layout once for both primitives.
void conv2d_backward_f32(const ConvGeometry& g, const Tensor& grad_out, const Tensor& x, const Tensor& weight,
                         const ConvGradients& out);

// out [M, N] (contiguous) = x [M, K] weight[N, K]^T + bias [N]; bias may be undefined.
void linear_f32(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& out);

}  // namespace tg::backend
