#pragma once
// 2-D convolution (cross-correlation, as in PyTorch and oneDNN) over NCHW tensors.
// f32 runs on oneDNN (which picks its own blocked layouts; the reorders to and from
// them are cached with the primitives), f64 on direct reference loops.
#include <cstdint>

#include "tapegrad/ops/shape_ops.hpp"
#include "tapegrad/ops/size2d.hpp"
#include "tapegrad/tensor.hpp"

namespace tg {

struct Conv2dOptions {
  Size2d stride = 1;
  Size2d padding = 0;   // added on each side (zeros unless padding_mode says otherwise)
  Size2d dilation = 1;  // spacing between kernel taps
  std::int64_t groups = 1;  // channels split into groups convolved separately
  // What the padding holds: constant (zeros, the default), reflect, replicate or
  // circular (PyTorch's padding_mode; the input is padded by tg::pad in that mode).
  PadMode padding_mode = PadMode::constant;
  // PyTorch's padding = "same": the output has the input's size. Stride 1 only, and
  // padding must stay 0; the dilated kernel's extent - 1 is split with the smaller
  // half on the top / left (an even kernel pads one more on the bottom / right).
  bool padding_same = false;
};

// Output size along one dim: floor((in + 2 pad - dilation (kernel - 1) - 1) / stride) + 1.
std::int64_t conv2d_output_size(std::int64_t in, std::int64_t kernel, std::int64_t stride, std::int64_t padding,
                                std::int64_t dilation);

// x [N, C, H, W], weight [O, C / groups, KH, KW], bias [O] or undefined -> [N, O, OH, OW].
// The gradient ops below take options without padding_mode or padding_same (conv2d
// resolves both into an explicitly padded input).
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias = {}, const Conv2dOptions& options = {});

// The gradients of conv2d, as ops of their own (differentiable again, so
// create_graph and gradgradcheck work through conv2d):
// d<grad_out, conv2d(x, weight)>/dx for an input of shape input_shape, ...
Tensor conv2d_backward_input(const Tensor& grad_out, const Tensor& weight, const Shape& input_shape,
                             const Conv2dOptions& options = {});
// ... d<grad_out, conv2d(x, weight)>/dweight for a weight of shape weight_shape.
Tensor conv2d_backward_weight(const Tensor& grad_out, const Tensor& x, const Shape& weight_shape,
                              const Conv2dOptions& options = {});
// ... and d<grad_out, conv2d(x, weight, bias)>/dbias: grad_out [N, O, OH, OW] summed to [O].
Tensor conv2d_backward_bias(const Tensor& grad_out);

// Transposed convolution (PyTorch's conv_transpose2d): the adjoint of conv2d with the
// same stride, padding, dilation and groups, computed as conv2d's input gradient.
// output_padding adds rows / columns on the bottom / right of the output, so that
// every output size conv2d maps to the same input size can be reached; it must be
// smaller than the stride or the dilation (as in PyTorch).
struct ConvTranspose2dOptions {
  Size2d stride = 1;
  Size2d padding = 0;
  Size2d output_padding = 0;
  Size2d dilation = 1;
  std::int64_t groups = 1;
};

// Output size along one dim: (in - 1) stride - 2 padding + dilation (kernel - 1) + output_padding + 1.
std::int64_t conv_transpose2d_output_size(std::int64_t in, std::int64_t kernel, std::int64_t stride,
                                          std::int64_t padding, std::int64_t output_padding, std::int64_t dilation);

// x [N, C, H, W], weight [C, O / groups, KH, KW] (PyTorch's layout: input channels
// first), bias [O] or undefined -> [N, O, OH, OW].
Tensor conv_transpose2d(const Tensor& x, const Tensor& weight, const Tensor& bias = {},
                        const ConvTranspose2dOptions& options = {});

}  // namespace tg
