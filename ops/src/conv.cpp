// 2-D convolution and its two gradients, each an op of its own so that the gradient
// graph is differentiable again:
//   y  = conv2d(x, w) + b
//   dx = conv2d_backward_input(dy, w)    (the transposed convolution of dy)
//   dw = conv2d_backward_weight(dy, x)   (the correlation of x with dy)
// All three are bilinear, so each one's gradients are the other two:
//   d<G, bwd_input(dy, w)>  : d/ddy = conv2d(G, w),   d/dw = bwd_weight(dy, G)
//   d<G, bwd_weight(dy, x)> : d/ddy = conv2d(x, G),   d/dx = bwd_input(dy, G)
// The kernels (f32 on oneDNN, f64 on direct loops) are in kernels/conv.hpp.
#include <algorithm>

#include "kernels/conv.hpp"
#include "conv_geometry.hpp"
#include "op_pattern.hpp"
#include "tapegrad/ops/conv.hpp"
#include "tapegrad/ops/views.hpp"

namespace tg {

std::int64_t conv2d_output_size(std::int64_t in, std::int64_t kernel, std::int64_t stride, std::int64_t padding,
                                std::int64_t dilation) {
  const std::int64_t span = in + 2 * padding - dilation * (kernel - 1) - 1;
  return span < 0 ? 0 : span / stride + 1;
}

ConvGeometry conv_geometry(const char* op, const Shape& input, const Shape& weight, const Conv2dOptions& o) {
  TG_CHECK(input.size() == 4, "{}: input has {} dims {}, expected 4 (N, C, H, W)", op, input.size(), input.str());
  TG_CHECK(weight.size() == 4, "{}: weight has {} dims {}, expected 4 (O, C/groups, KH, KW)", op, weight.size(),
           weight.str());
  TG_CHECK(o.stride.h >= 1 && o.stride.w >= 1, "{}: stride must be >= 1, got [{}, {}]", op, o.stride.h, o.stride.w);
  TG_CHECK(o.dilation.h >= 1 && o.dilation.w >= 1, "{}: dilation must be >= 1, got [{}, {}]", op, o.dilation.h,
           o.dilation.w);
  TG_CHECK(o.padding.h >= 0 && o.padding.w >= 0, "{}: padding must be >= 0, got [{}, {}]", op, o.padding.h,
           o.padding.w);
  TG_CHECK(o.groups >= 1, "{}: groups must be >= 1, got {}", op, o.groups);
  TG_CHECK(std::all_of(weight.begin(), weight.end(), [](std::int64_t d) { return d > 0; }),
           "{}: weight {} has an empty dim", op, weight.str());
  TG_CHECK(input[1] > 0, "{}: input {} has no channels", op, input.str());

  ConvGeometry g;
  g.batch = input[0];
  g.in_channels = input[1];
  g.in_h = input[2];
  g.in_w = input[3];
  g.out_channels = weight[0];
  g.kernel_h = weight[2];
  g.kernel_w = weight[3];
  g.stride_h = o.stride.h;
  g.stride_w = o.stride.w;
  g.pad_h = o.padding.h;
  g.pad_w = o.padding.w;
  g.dilation_h = o.dilation.h;
  g.dilation_w = o.dilation.w;
  g.groups = o.groups;

  TG_CHECK(g.in_channels % g.groups == 0, "{}: groups {} does not divide the {} channels of input {}", op, g.groups,
           g.in_channels, input.str());
  TG_CHECK(g.out_channels % g.groups == 0, "{}: groups {} does not divide the {} output channels of weight {}", op,
           g.groups, g.out_channels, weight.str());
  TG_CHECK(weight[1] * g.groups == g.in_channels,
           "{}: input {} has {} channels but weight {} expects {} ({} per group x {} groups)", op, input.str(),
           g.in_channels, weight.str(), weight[1] * g.groups, weight[1], g.groups);

  const std::int64_t extent_h = g.dilation_h * (g.kernel_h - 1) + 1, extent_w = g.dilation_w * (g.kernel_w - 1) + 1;
  const std::int64_t padded_h = g.in_h + 2 * g.pad_h, padded_w = g.in_w + 2 * g.pad_w;
  TG_CHECK(extent_h <= padded_h && extent_w <= padded_w,
           "{}: kernel {}x{} (extent {}x{} with dilation [{}, {}]) is larger than the padded input {}x{} "
           "(input {} with padding [{}, {}])",
           op, g.kernel_h, g.kernel_w, extent_h, extent_w, g.dilation_h, g.dilation_w, padded_h, padded_w,
           input.str(), g.pad_h, g.pad_w);
  g.out_h = conv2d_output_size(g.in_h, g.kernel_h, g.stride_h, g.pad_h, g.dilation_h);
  g.out_w = conv2d_output_size(g.in_w, g.kernel_w, g.stride_w, g.pad_w, g.dilation_w);
  return g;
}

namespace {

// --- the three kernels, dispatched on dtype

Tensor forward_kernel(const ConvGeometry& g, const Tensor& x, const Tensor& w, const Tensor& b) {
  Tensor y = empty(g.output_shape(), x.dtype());
  kernels::conv2d_forward(g, x, w, b, y);
  return y;
}

Tensor backward_input_kernel(const ConvGeometry& g, const Tensor& dy, const Tensor& w) {
  Tensor dx = empty(g.input_shape(), dy.dtype());
  kernels::conv2d_backward_input(g, dy, w, dx);
  return dx;
}

Tensor backward_weight_kernel(const ConvGeometry& g, const Tensor& dy, const Tensor& x) {
  Tensor dw = empty(g.weight_shape(), dy.dtype());
  kernels::conv2d_backward_weight(g, dy, x, dw);
  return dw;
}

Tensor bias_kernel(const Tensor& dy) {
  Tensor db = empty({dy.size(1)}, dy.dtype());
  kernels::conv2d_backward_bias(dy, db);
  return db;
}

// --- nodes. Each saves only what the gradients its edges need: the weight for dx,
// the input for dw, and so on.

class Conv2dNode final : public Node {
 public:
  Conv2dNode(const ConvGeometry& g, const Conv2dOptions& o) : geometry_(g), options_(o) {}
  const char* name() const override { return "conv2d"; }
  TensorList apply(TensorList&& grads) override {
    const Tensor& dy = grads[0];
    const bool want_x = edges()[0].valid(), want_w = edges()[1].valid(), want_b = edges()[2].valid();
    // Saved only when an edge needs it (see conv2d): x for dw, w for dx.
    const Tensor x = want_w ? input_.unpack(*this) : Tensor{}, w = want_x ? weight_.unpack(*this) : Tensor{};
    const auto composed = [&] {
      TensorList out;
      out.resize(3);
      if (want_x) out[0] = conv2d_backward_input(dy, w, geometry_.input_shape(), options_);
      if (want_w) out[1] = conv2d_backward_weight(dy, x, geometry_.weight_shape(), options_);
      if (want_b) out[2] = conv2d_backward_bias(dy);
      return out;
    };
    // The fused kernel exists for f32 when dw is wanted: one oneDNN call reorders dy
    // once for both gradients and fuses the bias gradient into the weight gradient's
    // primitive.
    if (dy.dtype() != f32 || !want_w) return composed();
    return ops::fused_or_composed(
        {&dy, &x, &w},
        [&] {
          kernels::ConvGradients g{want_x ? empty(geometry_.input_shape(), f32) : Tensor{},
                                   empty(geometry_.weight_shape(), f32),
                                   want_b ? empty({geometry_.out_channels}, f32) : Tensor{}};
          kernels::conv2d_backward_f32(geometry_, dy, x, w, g);
          TensorList out;
          out.push_back(std::move(g.input));
          out.push_back(std::move(g.weight));
          out.push_back(std::move(g.bias));
          return out;
        },
        composed);
  }
  void release_saved() override {
    input_.release();
    weight_.release();
  }
  SavedTensor input_, weight_;

 private:
  ConvGeometry geometry_;
  Conv2dOptions options_;
};

class Conv2dBackwardInputNode final : public Node {
 public:
  Conv2dBackwardInputNode(const Shape& w_shape, const Conv2dOptions& o) : w_shape_(w_shape), options_(o) {}
  const char* name() const override { return "conv2d_backward_input"; }
  TensorList apply(TensorList&& grads) override {
    const Tensor& g = grads[0];  // shaped like the convolution's input
    TensorList out;
    out.resize(2);
    if (edges()[0].valid()) out[0] = conv2d(g, weight_.unpack(*this), {}, options_);
    if (edges()[1].valid()) out[1] = conv2d_backward_weight(grad_out_.unpack(*this), g, w_shape_, options_);
    return out;
  }
  void release_saved() override {
    grad_out_.release();
    weight_.release();
  }
  SavedTensor grad_out_, weight_;

 private:
  Shape w_shape_;
  Conv2dOptions options_;
};

class Conv2dBackwardWeightNode final : public Node {
 public:
  Conv2dBackwardWeightNode(const Shape& x_shape, const Conv2dOptions& o) : x_shape_(x_shape), options_(o) {}
  const char* name() const override { return "conv2d_backward_weight"; }
  TensorList apply(TensorList&& grads) override {
    const Tensor& g = grads[0];  // shaped like the convolution's weight
    TensorList out;
    out.resize(2);
    if (edges()[0].valid()) out[0] = conv2d(input_.unpack(*this), g, {}, options_);
    if (edges()[1].valid()) out[1] = conv2d_backward_input(grad_out_.unpack(*this), g, x_shape_, options_);
    return out;
  }
  void release_saved() override {
    grad_out_.release();
    input_.release();
  }
  SavedTensor grad_out_, input_;

 private:
  Shape x_shape_;
  Conv2dOptions options_;
};

class Conv2dBackwardBiasNode final : public Node {
 public:
  explicit Conv2dBackwardBiasNode(const Shape& grad_out_shape) : grad_out_shape_(grad_out_shape) {}
  const char* name() const override { return "conv2d_backward_bias"; }
  TensorList apply(TensorList&& grads) override {
    const Tensor& g = grads[0];  // [O]
    TensorList out;
    out.push_back(expand(reshape(g, {1, g.size(0), 1, 1}), grad_out_shape_));
    return out;
  }

 private:
  Shape grad_out_shape_;
};

void check_operands(const char* op, const Tensor& a, const Tensor& b) {
  ops::check_floating(op, a);
  ops::check_same_dtype(op, a, b);
}

}  // namespace

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv2dOptions& options) {
  check_operands("conv2d", x, weight);
  const ConvGeometry g = conv_geometry("conv2d", x.shape(), weight.shape(), options);
  if (bias.defined()) {
    ops::check_same_dtype("conv2d", x, bias);
    TG_CHECK(bias.dim() == 1 && bias.size(0) == g.out_channels,
             "conv2d: bias has shape {}, expected [{}] (one value per output channel of weight {})",
             bias.shape().str(), g.out_channels, weight.shape().str());
  }
  Tensor y = forward_kernel(g, x, weight, bias);
  if (auto node = ops::record<Conv2dNode>(y, {&x, &weight, &bias}, g, options)) {
    if (node->edges()[0].valid()) node->weight_ = SavedTensor(weight, false);
    if (node->edges()[1].valid()) node->input_ = SavedTensor(x, false);
  }
  ops::check_forward("conv2d", y);
  return y;
}

Tensor conv2d_backward_input(const Tensor& grad_out, const Tensor& weight, const Shape& input_shape,
                             const Conv2dOptions& options) {
  constexpr const char* op = "conv2d_backward_input";
  check_operands(op, grad_out, weight);
  const ConvGeometry g = conv_geometry(op, input_shape, weight.shape(), options);
  TG_CHECK(grad_out.shape() == g.output_shape(),
           "{}: grad_out has shape {}, expected {} (the output of input {} and weight {})", op, grad_out.shape().str(),
           g.output_shape().str(), input_shape.str(), weight.shape().str());
  Tensor dx = backward_input_kernel(g, grad_out, weight);
  if (auto node = ops::record<Conv2dBackwardInputNode>(dx, {&grad_out, &weight}, weight.shape(), options)) {
    if (node->edges()[0].valid()) node->weight_ = SavedTensor(weight, false);
    if (node->edges()[1].valid()) node->grad_out_ = SavedTensor(grad_out, false);
  }
  ops::check_forward(op, dx);
  return dx;
}

Tensor conv2d_backward_weight(const Tensor& grad_out, const Tensor& x, const Shape& weight_shape,
                              const Conv2dOptions& options) {
  constexpr const char* op = "conv2d_backward_weight";
  check_operands(op, grad_out, x);
  const ConvGeometry g = conv_geometry(op, x.shape(), weight_shape, options);
  TG_CHECK(grad_out.shape() == g.output_shape(),
           "{}: grad_out has shape {}, expected {} (the output of input {} and weight {})", op, grad_out.shape().str(),
           g.output_shape().str(), x.shape().str(), weight_shape.str());
  Tensor dw = backward_weight_kernel(g, grad_out, x);
  if (auto node = ops::record<Conv2dBackwardWeightNode>(dw, {&grad_out, &x}, x.shape(), options)) {
    if (node->edges()[0].valid()) node->input_ = SavedTensor(x, false);
    if (node->edges()[1].valid()) node->grad_out_ = SavedTensor(grad_out, false);
  }
  ops::check_forward(op, dw);
  return dw;
}


Tensor conv2d_backward_bias(const Tensor& grad_out) {
  constexpr const char* op = "conv2d_backward_bias";
  ops::check_floating(op, grad_out);
  TG_CHECK(grad_out.dim() == 4, "{}: grad_out has {} dims {}, expected 4 (N, O, OH, OW)", op, grad_out.dim(),
           grad_out.shape().str());
  Tensor db = bias_kernel(grad_out);
  ops::record<Conv2dBackwardBiasNode>(db, {&grad_out}, grad_out.shape());
  ops::check_forward(op, db);
  return db;
}

}  // namespace tg
