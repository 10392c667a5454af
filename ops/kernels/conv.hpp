#pragma once
// 2-D convolution kernels: f32 on oneDNN (dnnl_conv.cpp: the primitives run on the
// blocked layouts oneDNN picks, with cached reorders to and from tapegrad's plain
// layouts), f64 on the direct loops of conv_reference.cpp. Tensors are NCHW / OIHW.
#include "kernels/conv_geometry.hpp"
#include "tapegrad/tensor.hpp"

namespace tg::kernels {

// out [N, O, OH, OW] (contiguous) = conv(x, weight) + bias; bias may be undefined.
void conv2d_forward(const ConvGeometry& g, const Tensor& x, const Tensor& weight, const Tensor& bias,
                    const Tensor& out);
// grad_in [N, C, H, W] (contiguous) = d<grad_out, conv(x, weight)>/dx.
void conv2d_backward_input(const ConvGeometry& g, const Tensor& grad_out, const Tensor& weight,
                           const Tensor& grad_in);
// grad_weight [O, C/groups, KH, KW] (contiguous) = d<grad_out, conv(x, weight)>/dweight.
void conv2d_backward_weight(const ConvGeometry& g, const Tensor& grad_out, const Tensor& x,
                            const Tensor& grad_weight);
// grad_bias [O] = sum of grad_out [N, O, H, W] over n, h, w (accumulated in double).
void conv2d_backward_bias(const Tensor& grad_out, const Tensor& grad_bias);

// The gradients wanted from one backward call (undefined: not wanted); each is a
// contiguous tensor of its operand's shape. A bias gradient is computed only along
// with the weight gradient (fused into the same primitive).
struct ConvGradients {
  Tensor input, weight, bias;
};
// All gradients of conv(x, weight) + bias in one f32 call: grad_out is reordered to
// oneDNN's layout once for both primitives.
void conv2d_backward_f32(const ConvGeometry& g, const Tensor& grad_out, const Tensor& x, const Tensor& weight,
                         const ConvGradients& out);

// The f32 (oneDNN) halves of the kernels above.
void conv2d_forward_f32(const ConvGeometry& g, const Tensor& x, const Tensor& weight, const Tensor& bias,
                        const Tensor& out);
void conv2d_backward_input_f32(const ConvGeometry& g, const Tensor& grad_out, const Tensor& weight,
                               const Tensor& grad_in);
void conv2d_backward_weight_f32(const ConvGeometry& g, const Tensor& grad_out, const Tensor& x,
                                const Tensor& grad_weight);

}  // namespace tg::kernels
