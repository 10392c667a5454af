// 2-D convolution and its two gradients, each an op of its own so that the gradient
// graph is differentiable again:
//   y  = conv2d(x, w) + b
//   dx = conv2d_backward_input(dy, w)    (the transposed convolution of dy)
//   dw = conv2d_backward_weight(dy, x)   (the correlation of x with dy)
// All three are bilinear, so each one's gradients are the other two:
//   d<G, bwd_input(dy, w)>  : d/ddy = conv2d(G, w),   d/dw = bwd_weight(dy, G)
//   d<G, bwd_weight(dy, x)> : d/ddy = conv2d(x, G),   d/dx = bwd_input(dy, G)
// The kernels (f32 on oneDNN, f64 on direct loops) are in kernels/conv.hpp.
#include <functional>
#include <string>

#include "conv_geometry.hpp"
#include "conv_padding.hpp"
#include "kernels/conv.hpp"
#include "op_pattern.hpp"
#include "tapegrad/ops/conv.hpp"
#include "tapegrad/ops/op_table.hpp"
#include "tapegrad/ops/views.hpp"

namespace tg {

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

// --- the ops. Each saves only what the gradients its edges need: the weight for dx,
// the input for dw, and so on. Each takes arguments checked by its public function.

// y = conv2d(x, w) + b; inputs x, weight, bias (may be undefined).
struct Conv2d {
  static constexpr const char* name = "conv2d";
  static constexpr std::size_t num_saved = 2;  // input, weight
  ConvGeometry geometry;
  Conv2dOptions options;

  Tensor forward(const Tensor& x, const Tensor& w, const Tensor& b) const { return forward_kernel(geometry, x, w, b); }
  void save(ops::OpContext& ctx, const Tensor& x, const Tensor& w, const Tensor&, const Tensor&) const {
    if (ctx.needs_input_grad(0)) ctx.save(1, w);
    if (ctx.needs_input_grad(1)) ctx.save(0, x);
  }
  TensorList backward(const ops::OpContext& ctx, const Tensor& dy) const {
    const bool want_x = ctx.needs_input_grad(0), want_w = ctx.needs_input_grad(1), want_b = ctx.needs_input_grad(2);
    const Tensor x = ctx.saved(0), w = ctx.saved(1);
    const auto composed = [&] {
      TensorList out;
      out.resize(3);
      if (want_x) out[0] = conv2d_backward_input(dy, w, geometry.input_shape(), options);
      if (want_w) out[1] = conv2d_backward_weight(dy, x, geometry.weight_shape(), options);
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
          kernels::ConvGradients g{want_x ? empty(geometry.input_shape(), f32) : Tensor{},
                                   empty(geometry.weight_shape(), f32),
                                   want_b ? empty({geometry.out_channels}, f32) : Tensor{}};
          kernels::conv2d_backward_f32(geometry, dy, x, w, g);
          TensorList out;
          out.push_back(std::move(g.input));
          out.push_back(std::move(g.weight));
          out.push_back(std::move(g.bias));
          return out;
        },
        composed);
  }
};

// dx = conv2d_backward_input(dy, w); inputs grad_out, weight.
struct Conv2dBackwardInput {
  static constexpr const char* name = "conv2d_backward_input";
  static constexpr std::size_t num_saved = 2;  // grad_out, weight
  ConvGeometry geometry;
  Conv2dOptions options;

  Tensor forward(const Tensor& dy, const Tensor& w) const { return backward_input_kernel(geometry, dy, w); }
  void save(ops::OpContext& ctx, const Tensor& dy, const Tensor& w, const Tensor&) const {
    if (ctx.needs_input_grad(0)) ctx.save(1, w);
    if (ctx.needs_input_grad(1)) ctx.save(0, dy);
  }
  TensorList backward(const ops::OpContext& ctx, const Tensor& g) const {  // g shaped like the input
    return ops::grads(
        ctx.needs_input_grad(0) ? conv2d(g, ctx.saved(1), {}, options) : Tensor{},
        ctx.needs_input_grad(1) ? conv2d_backward_weight(ctx.saved(0), g, geometry.weight_shape(), options) : Tensor{});
  }
};

// dw = conv2d_backward_weight(dy, x); inputs grad_out, x.
struct Conv2dBackwardWeight {
  static constexpr const char* name = "conv2d_backward_weight";
  static constexpr std::size_t num_saved = 2;  // grad_out, input
  ConvGeometry geometry;
  Conv2dOptions options;

  Tensor forward(const Tensor& dy, const Tensor& x) const { return backward_weight_kernel(geometry, dy, x); }
  void save(ops::OpContext& ctx, const Tensor& dy, const Tensor& x, const Tensor&) const {
    if (ctx.needs_input_grad(0)) ctx.save(1, x);
    if (ctx.needs_input_grad(1)) ctx.save(0, dy);
  }
  TensorList backward(const ops::OpContext& ctx, const Tensor& g) const {  // g shaped like the weight
    return ops::grads(
        ctx.needs_input_grad(0) ? conv2d(ctx.saved(1), g, {}, options) : Tensor{},
        ctx.needs_input_grad(1) ? conv2d_backward_input(ctx.saved(0), g, geometry.input_shape(), options) : Tensor{});
  }
};

// db = the sum of dy over N, OH, OW; its gradient spreads g [O] back over dy's shape.
struct Conv2dBackwardBias {
  static constexpr const char* name = "conv2d_backward_bias";
  Shape grad_out_shape{};
  Tensor forward(const Tensor& dy) {
    grad_out_shape = dy.shape();
    return bias_kernel(dy);
  }
  TensorList backward(const ops::OpContext&, const Tensor& g) const {
    return ops::grads(expand(reshape(g, {1, g.size(0), 1, 1}), grad_out_shape));
  }
};

void check_operands(const char* op, const Tensor& a, const Tensor& b) {
  ops::check_floating(op, a);
  ops::check_same_dtype(op, a, b);
}

}  // namespace

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv2dOptions& options) {
  if (options.padding_same || options.padding_mode != PadMode::constant)
    return conv2d_padded(x, weight, bias, options);  // conv_padding.cpp
  check_operands("conv2d", x, weight);
  const ConvGeometry g = conv_geometry("conv2d", x.shape(), weight.shape(), options);
  if (bias.defined()) {
    ops::check_same_dtype("conv2d", x, bias);
    TG_CHECK(bias.dim() == 1 && bias.size(0) == g.out_channels,
             "conv2d: bias has shape {}, expected [{}] (one value per output channel of weight {})",
             bias.shape().str(), g.out_channels, weight.shape().str());
  }
  return ops::apply(Conv2d{g, options}, x, weight, bias);
}

Tensor conv2d_backward_input(const Tensor& grad_out, const Tensor& weight, const Shape& input_shape,
                             const Conv2dOptions& options) {
  constexpr const char* op = "conv2d_backward_input";
  check_operands(op, grad_out, weight);
  const ConvGeometry g = conv_geometry(op, input_shape, weight.shape(), options);
  TG_CHECK(grad_out.shape() == g.output_shape(),
           "{}: grad_out has shape {}, expected {} (the output of input {} and weight {})", op, grad_out.shape().str(),
           g.output_shape().str(), input_shape.str(), weight.shape().str());
  return ops::apply(Conv2dBackwardInput{g, options}, grad_out, weight);
}

Tensor conv2d_backward_weight(const Tensor& grad_out, const Tensor& x, const Shape& weight_shape,
                              const Conv2dOptions& options) {
  constexpr const char* op = "conv2d_backward_weight";
  check_operands(op, grad_out, x);
  const ConvGeometry g = conv_geometry(op, x.shape(), weight_shape, options);
  TG_CHECK(grad_out.shape() == g.output_shape(),
           "{}: grad_out has shape {}, expected {} (the output of input {} and weight {})", op, grad_out.shape().str(),
           g.output_shape().str(), x.shape().str(), weight_shape.str());
  return ops::apply(Conv2dBackwardWeight{g, options}, grad_out, x);
}

Tensor conv2d_backward_bias(const Tensor& grad_out) {
  constexpr const char* op = "conv2d_backward_bias";
  ops::check_floating(op, grad_out);
  TG_CHECK(grad_out.dim() == 4, "{}: grad_out has {} dims {}, expected 4 (N, O, OH, OW)", op, grad_out.dim(),
           grad_out.shape().str());
  return ops::apply(Conv2dBackwardBias{}, grad_out);
}

// --- op table entries. The options are fixed per entry (one entry per stride / padding
// / dilation / groups case), the shapes vary per sample: batch 1, odd and non-square
// sizes, 1x1 and non-square kernels, bias and no bias, strided (transposed) views.

namespace {

using Samples = std::vector<OpSample>;
using SampleFn = std::function<Samples(Generator&)>;

// x, weight and (when with_bias) a bias of weight's output channels.
OpSample sample(Generator& g, std::string label, const Shape& x, const Shape& w, bool with_bias = true) {
  OpSample s{std::move(label), {sample_normal(g, x), sample_normal(g, w)}};
  if (with_bias) s.inputs.push_back(sample_normal(g, {w[0]}));
  return s;
}

// The first sample again with an empty batch (x [0, C, H, W]).
Samples with_empty_batch(Samples s) {
  OpSample empty = s.front();
  Shape x = empty.inputs[0].shape();
  x[0] = 0;
  empty.label = "empty batch, " + empty.label;
  empty.inputs[0] = tg::empty(x, empty.inputs[0].dtype());
  s.push_back(std::move(empty));
  return s;
}

OpTableEntry conv_entry(std::string name, Conv2dOptions options, SampleFn samples, SampleFn large) {
  OpTableEntry e;
  e.name = std::move(name);
  e.fn = [options](const std::vector<Tensor>& x) {
    return conv2d(x[0], x[1], x.size() > 2 ? x[2] : Tensor{}, options);
  };
  e.samples = [samples](Generator& g) { return with_empty_batch(samples(g)); };
  e.large_samples = [large](Generator& g) { return with_empty_batch(large(g)); };
  // The f32 results sum hundreds of products (thousands for the weight gradient).
  e.f32_tolerance = 1e-4;
  return e;
}

const OpRegistration reg_conv2d(conv_entry(
    "conv2d", {},
    [](Generator& g) -> Samples {
      Samples s{sample(g, "[2, 3, 5, 5] * [4, 3, 3, 3]", {2, 3, 5, 5}, {4, 3, 3, 3}),
                sample(g, "[2, 3, 5, 5] * [4, 3, 3, 3], no bias", {2, 3, 5, 5}, {4, 3, 3, 3}, false),
                sample(g, "batch 1, odd [1, 2, 7, 6] * non-square kernel [3, 2, 2, 3]", {1, 2, 7, 6}, {3, 2, 2, 3}),
                sample(g, "1x1 kernel [2, 4, 3, 3] * [5, 4, 1, 1]", {2, 4, 3, 3}, {5, 4, 1, 1}),
                sample(g, "kernel as large as the input [2, 2, 3, 3] * [3, 2, 3, 3]", {2, 2, 3, 3}, {3, 2, 3, 3}),
                sample(g, "transposed view input [2, 2, 5, 4] * [3, 2, 3, 2]", {2, 2, 4, 5}, {3, 2, 3, 2}),
                sample(g, "transposed view weight [2, 2, 5, 4] * [3, 2, 3, 2]", {2, 2, 5, 4}, {3, 2, 2, 3})};
      s[5].transposed = {0};
      s[6].transposed = {1};
      s.push_back(sample(g, "no input channels [2, 0, 5, 5] * [4, 0, 3, 3]", {2, 0, 5, 5}, {4, 0, 3, 3}));
      s.back().refused_with = "weight [4, 0, 3, 3] has an empty dim";
      return s;
    },
    [](Generator& g) -> Samples {
      return {sample(g, "[8, 1, 28, 28] * [32, 1, 3, 3]", {8, 1, 28, 28}, {32, 1, 3, 3}),
              sample(g, "[4, 32, 7, 7] * [64, 32, 1, 1], no bias", {4, 32, 7, 7}, {64, 32, 1, 1}, false)};
    }));

const OpRegistration reg_conv2d_pad1(conv_entry(
    "conv2d_pad1", {.padding = 1},
    [](Generator& g) -> Samples {
      return {sample(g, "[2, 2, 5, 5] * [3, 2, 3, 3]", {2, 2, 5, 5}, {3, 2, 3, 3}),
              sample(g, "batch 1, odd [1, 3, 5, 4] * [2, 3, 3, 3], no bias", {1, 3, 5, 4}, {2, 3, 3, 3}, false),
              sample(g, "1x1 input [2, 2, 1, 1] * [3, 2, 3, 3]", {2, 2, 1, 1}, {3, 2, 3, 3})};
    },
    [](Generator& g) -> Samples {
      return {sample(g, "[8, 16, 14, 14] * [32, 16, 3, 3]", {8, 16, 14, 14}, {32, 16, 3, 3}),
              sample(g, "[2, 32, 14, 14] * [64, 32, 3, 3], no bias", {2, 32, 14, 14}, {64, 32, 3, 3}, false)};
    }));

const OpRegistration reg_conv2d_pad2(conv_entry(
    "conv2d_pad2x1_kernel5x3", {.padding = {2, 1}},
    [](Generator& g) -> Samples {
      return {sample(g, "[2, 2, 5, 4] * [3, 2, 5, 3]", {2, 2, 5, 4}, {3, 2, 5, 3}),
              sample(g, "[1, 1, 3, 3] * [2, 1, 5, 3], no bias", {1, 1, 3, 3}, {2, 1, 5, 3}, false)};
    },
    [](Generator& g) -> Samples { return {sample(g, "[4, 8, 13, 11] * [16, 8, 5, 3]", {4, 8, 13, 11}, {16, 8, 5, 3})}; }));

const OpRegistration reg_conv2d_stride2(conv_entry(
    "conv2d_stride2_pad1", {.stride = 2, .padding = 1},
    [](Generator& g) -> Samples {
      return {sample(g, "odd [2, 2, 7, 7] * [3, 2, 3, 3]", {2, 2, 7, 7}, {3, 2, 3, 3}),
              sample(g, "even [1, 3, 6, 5] * [2, 3, 3, 2], no bias", {1, 3, 6, 5}, {2, 3, 3, 2}, false)};
    },
    [](Generator& g) -> Samples {
      return {sample(g, "[8, 16, 14, 14] * [32, 16, 3, 3]", {8, 16, 14, 14}, {32, 16, 3, 3}),
              sample(g, "[4, 16, 15, 15] * [32, 16, 3, 3]", {4, 16, 15, 15}, {32, 16, 3, 3})};
    }));

// Strides that skip the last input rows/columns (the right padding oneDNN sees is negative).
const OpRegistration reg_conv2d_stride2x3(conv_entry(
    "conv2d_stride2x3", {.stride = {2, 3}},
    [](Generator& g) -> Samples {
      return {sample(g, "[2, 2, 6, 7] * [3, 2, 3, 3]", {2, 2, 6, 7}, {3, 2, 3, 3}),
              sample(g, "[1, 1, 5, 5] * [2, 1, 2, 2], no bias", {1, 1, 5, 5}, {2, 1, 2, 2}, false)};
    },
    [](Generator& g) -> Samples { return {sample(g, "[4, 8, 16, 17] * [16, 8, 3, 3]", {4, 8, 16, 17}, {16, 8, 3, 3})}; }));

const OpRegistration reg_conv2d_dilation2(conv_entry(
    "conv2d_dilation2_pad2", {.padding = 2, .dilation = 2},
    [](Generator& g) -> Samples {
      return {sample(g, "[2, 2, 5, 6] * [3, 2, 3, 3]", {2, 2, 5, 6}, {3, 2, 3, 3}),
              sample(g, "[1, 2, 4, 4] * [2, 2, 2, 3], no bias", {1, 2, 4, 4}, {2, 2, 2, 3}, false)};
    },
    [](Generator& g) -> Samples { return {sample(g, "[4, 16, 14, 14] * [32, 16, 3, 3]", {4, 16, 14, 14}, {32, 16, 3, 3})}; }));

const OpRegistration reg_conv2d_mixed(conv_entry(
    "conv2d_mixed_stride_pad_dilation", {.stride = {1, 2}, .padding = {2, 0}, .dilation = {2, 1}},
    [](Generator& g) -> Samples { return {sample(g, "[2, 2, 4, 7] * [3, 2, 2, 3]", {2, 2, 4, 7}, {3, 2, 2, 3})}; },
    [](Generator& g) -> Samples { return {sample(g, "[4, 8, 12, 15] * [16, 8, 2, 3]", {4, 8, 12, 15}, {16, 8, 2, 3})}; }));

const OpRegistration reg_conv2d_groups2(conv_entry(
    "conv2d_groups2", {.padding = 1, .groups = 2},
    [](Generator& g) -> Samples {
      return {sample(g, "[2, 4, 5, 5] * [6, 2, 3, 3]", {2, 4, 5, 5}, {6, 2, 3, 3}),
              sample(g, "[1, 2, 4, 3] * [2, 1, 3, 3], no bias", {1, 2, 4, 3}, {2, 1, 3, 3}, false)};
    },
    [](Generator& g) -> Samples { return {sample(g, "[4, 16, 14, 14] * [32, 8, 3, 3]", {4, 16, 14, 14}, {32, 8, 3, 3})}; }));

const OpRegistration reg_conv2d_depthwise(conv_entry(
    "conv2d_depthwise", {.stride = 2, .padding = 1, .groups = 3},
    [](Generator& g) -> Samples {
      return {sample(g, "[2, 3, 5, 5] * [3, 1, 3, 3]", {2, 3, 5, 5}, {3, 1, 3, 3}),
              sample(g, "multiplier 2 [1, 3, 6, 4] * [6, 1, 3, 3], no bias", {1, 3, 6, 4}, {6, 1, 3, 3}, false)};
    },
    [](Generator& g) -> Samples { return {sample(g, "[8, 3, 28, 28] * [6, 1, 3, 3]", {8, 3, 28, 28}, {6, 1, 3, 3})}; }));

// The gradient ops directly. Their third input is the shape (i64) of the convolution's
// input (backward_input) or weight (backward_weight).
constexpr Conv2dOptions kGradientOptions{.stride = 2, .padding = 1, .groups = 2};

OpSample gradient_sample(Generator& g, std::string label, const Shape& a, const Shape& b, const Shape& shape) {
  const std::vector<std::int64_t> dims(shape.begin(), shape.end());
  return {std::move(label), {sample_normal(g, a), sample_normal(g, b), from_vector(dims, {shape.size()})}};
}

Shape shape_of(const Tensor& t) { return Shape(t.to_vector<std::int64_t>()); }

const OpRegistration reg_conv2d_backward_input([] {
  OpTableEntry e;
  e.name = "conv2d_backward_input";
  e.fn = [](const std::vector<Tensor>& x) { return conv2d_backward_input(x[0], x[1], shape_of(x[2]), kGradientOptions); };
  // grad_out [N, O, OH, OW], weight [O, C/2, KH, KW], input shape [N, C, H, W].
  e.samples = [](Generator& g) -> Samples {
    return {gradient_sample(g, "[2, 4, 3, 3] through [4, 2, 3, 3] to [2, 4, 6, 5]", {2, 4, 3, 3}, {4, 2, 3, 3}, {2, 4, 6, 5}),
            gradient_sample(g, "[1, 2, 2, 3] through [2, 1, 2, 3] to [1, 2, 3, 5]", {1, 2, 2, 3}, {2, 1, 2, 3}, {1, 2, 3, 5}),
            gradient_sample(g, "empty batch [0, 4, 3, 3] through [4, 2, 3, 3] to [0, 4, 6, 5]", {0, 4, 3, 3}, {4, 2, 3, 3},
                            {0, 4, 6, 5})};
  };
  e.large_samples = [](Generator& g) -> Samples {
    return {gradient_sample(g, "[8, 32, 7, 7] through [32, 8, 3, 3] to [8, 16, 14, 14]", {8, 32, 7, 7}, {32, 8, 3, 3},
                            {8, 16, 14, 14}),
            gradient_sample(g, "empty batch [0, 32, 7, 7] through [32, 8, 3, 3] to [0, 16, 14, 14]", {0, 32, 7, 7},
                            {32, 8, 3, 3}, {0, 16, 14, 14})};
  };
  e.f32_tolerance = 1e-4;
  return e;
}());

const OpRegistration reg_conv2d_backward_weight([] {
  OpTableEntry e;
  e.name = "conv2d_backward_weight";
  e.fn = [](const std::vector<Tensor>& x) { return conv2d_backward_weight(x[0], x[1], shape_of(x[2]), kGradientOptions); };
  // grad_out [N, O, OH, OW], input [N, C, H, W], weight shape [O, C/2, KH, KW].
  e.samples = [](Generator& g) -> Samples {
    return {gradient_sample(g, "[2, 4, 3, 3] with [2, 4, 6, 5] to [4, 2, 3, 3]", {2, 4, 3, 3}, {2, 4, 6, 5}, {4, 2, 3, 3}),
            gradient_sample(g, "[1, 2, 2, 3] with [1, 2, 3, 5] to [2, 1, 2, 3]", {1, 2, 2, 3}, {1, 2, 3, 5}, {2, 1, 2, 3}),
            gradient_sample(g, "empty batch [0, 4, 3, 3] with [0, 4, 6, 5] to [4, 2, 3, 3]", {0, 4, 3, 3}, {0, 4, 6, 5},
                            {4, 2, 3, 3})};
  };
  e.large_samples = [](Generator& g) -> Samples {
    return {gradient_sample(g, "[8, 32, 7, 7] with [8, 16, 14, 14] to [32, 8, 3, 3]", {8, 32, 7, 7}, {8, 16, 14, 14},
                            {32, 8, 3, 3}),
            gradient_sample(g, "empty batch [0, 32, 7, 7] with [0, 16, 14, 14] to [32, 8, 3, 3]", {0, 32, 7, 7},
                            {0, 16, 14, 14}, {32, 8, 3, 3})};
  };
  e.f32_tolerance = 1e-4;
  return e;
}());

const OpRegistration reg_conv2d_backward_bias([] {
  OpTableEntry e;
  e.name = "conv2d_backward_bias";
  e.fn = [](const std::vector<Tensor>& x) { return conv2d_backward_bias(x[0]); };
  e.samples = [](Generator& g) -> Samples {
    return {{"[2, 3, 4, 5]", {sample_normal(g, {2, 3, 4, 5})}},
            {"transposed view [1, 2, 3, 2]", {sample_normal(g, {1, 2, 2, 3})}, {0}},
            {"empty batch [0, 3, 4, 5]", {sample_normal(g, {0, 3, 4, 5})}}};
  };
  e.large_samples = [](Generator& g) -> Samples {
    return {{"[64, 32, 28, 28]", {sample_normal(g, {64, 32, 28, 28})}},
            {"empty batch [0, 32, 28, 28]", {sample_normal(g, {0, 32, 28, 28})}}};
  };
  e.f32_tolerance = 1e-4;
  return e;
}());

}  // namespace

}  // namespace tg
