// Transposed convolution. conv2d maps an input of shape [N, O, OH, OW] to [N, C, H, W]
// with a weight [C, O / groups, KH, KW]; its input gradient conv2d_backward_input is
// the transposed map, so conv_transpose2d is that op (differentiable to any order, see
// conv.cpp) plus a broadcast bias. No kernel of its own.
#include <algorithm>
#include <string>

#include "op_pattern.hpp"
#include "tapegrad/ops/conv.hpp"
#include "tapegrad/ops/op_table.hpp"
#include "tapegrad/ops/operators.hpp"
#include "tapegrad/ops/shape_ops.hpp"
#include "tapegrad/ops/views.hpp"

namespace tg {

std::int64_t conv_transpose2d_output_size(std::int64_t in, std::int64_t kernel, std::int64_t stride,
                                          std::int64_t padding, std::int64_t output_padding, std::int64_t dilation) {
  return (in - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1;
}

Tensor conv_transpose2d(const Tensor& x, const Tensor& weight, const Tensor& bias,
                        const ConvTranspose2dOptions& o) {
  constexpr const char* op = "conv_transpose2d";
  ops::check_floating(op, x);
  ops::check_same_dtype(op, x, weight);
  TG_CHECK(x.dim() == 4, "{}: input has {} dims {}, expected 4 (N, C, H, W)", op, x.dim(), x.shape().str());
  TG_CHECK(weight.dim() == 4, "{}: weight has {} dims {}, expected 4 (C, O/groups, KH, KW)", op, weight.dim(),
           weight.shape().str());
  TG_CHECK(o.groups >= 1, "{}: groups must be >= 1, got {}", op, o.groups);
  TG_CHECK(x.size(1) == weight.size(0), "{}: input {} has {} channels but weight {} expects {} (its dim 0)", op,
           x.shape().str(), x.size(1), weight.shape().str(), weight.size(0));
  TG_CHECK(o.stride.h >= 1 && o.stride.w >= 1, "{}: stride must be >= 1, got [{}, {}]", op, o.stride.h, o.stride.w);
  TG_CHECK(o.dilation.h >= 1 && o.dilation.w >= 1, "{}: dilation must be >= 1, got [{}, {}]", op, o.dilation.h,
           o.dilation.w);
  TG_CHECK(o.output_padding.h >= 0 && o.output_padding.w >= 0 &&
               o.output_padding.h < std::max(o.stride.h, o.dilation.h) &&
               o.output_padding.w < std::max(o.stride.w, o.dilation.w),
           "{}: output_padding [{}, {}] must be >= 0 and smaller than the stride [{}, {}] or the dilation [{}, {}]", op,
           o.output_padding.h, o.output_padding.w, o.stride.h, o.stride.w, o.dilation.h, o.dilation.w);
  const std::int64_t oh = conv_transpose2d_output_size(x.size(2), weight.size(2), o.stride.h, o.padding.h,
                                                       o.output_padding.h, o.dilation.h);
  const std::int64_t ow = conv_transpose2d_output_size(x.size(3), weight.size(3), o.stride.w, o.padding.w,
                                                       o.output_padding.w, o.dilation.w);
  TG_CHECK(x.size(2) > 0 && x.size(3) > 0 && oh > 0 && ow > 0,
           "{}: input {} with weight {}, stride [{}, {}], padding [{}, {}] gives an output of {}x{}, expected at "
           "least 1x1",
           op, x.shape().str(), weight.shape().str(), o.stride.h, o.stride.w, o.padding.h, o.padding.w, oh, ow);
  const std::int64_t out_channels = weight.size(1) * o.groups;
  if (bias.defined()) {
    ops::check_same_dtype(op, x, bias);
    TG_CHECK(bias.dim() == 1 && bias.size(0) == out_channels,
             "{}: bias has shape {}, expected [{}] (weight {} with groups {})", op, bias.shape().str(), out_channels,
             weight.shape().str(), o.groups);
  }
  // conv_geometry (through conv2d_backward_input) checks the rest: groups dividing the
  // channels, padding >= 0, dilation >= 1, empty weights.
  TG_CHECK(o.padding.h >= 0 && o.padding.w >= 0, "{}: padding must be >= 0, got [{}, {}]", op, o.padding.h,
           o.padding.w);
  Conv2dOptions conv{.stride = o.stride, .padding = o.padding, .dilation = o.dilation, .groups = o.groups};
  Tensor y;
  if (o.output_padding.h < o.stride.h && o.output_padding.w < o.stride.w) {
    y = conv2d_backward_input(x, weight, Shape{x.size(0), out_channels, oh, ow}, conv);
  } else {
    // output_padding >= stride (allowed below the dilation): no conv2d input size maps
    // to x's, so take the unpadded transposed convolution, of size
    // (in - 1) stride + dilation (kernel - 1) + 1, and cut (or zero-extend) rows
    // [padding, padding + out) from it.
    const std::int64_t fh = conv_transpose2d_output_size(x.size(2), weight.size(2), o.stride.h, 0, 0, o.dilation.h);
    const std::int64_t fw = conv_transpose2d_output_size(x.size(3), weight.size(3), o.stride.w, 0, 0, o.dilation.w);
    conv.padding = 0;
    const Tensor full = conv2d_backward_input(x, weight, Shape{x.size(0), out_channels, fh, fw}, conv);
    y = pad(full, {-o.padding.w, ow - fw + o.padding.w, -o.padding.h, oh - fh + o.padding.h});
  }
  return bias.defined() ? y + reshape(bias, {1, out_channels, 1, 1}) : y;
}

// --- op table entries: one per options case, samples with and without bias.
namespace {

using Samples = std::vector<OpSample>;

OpSample sample(Generator& g, std::string label, const Shape& x, const Shape& w, std::int64_t bias_size) {
  OpSample s{std::move(label), {sample_normal(g, x), sample_normal(g, w)}};
  if (bias_size > 0) s.inputs.push_back(sample_normal(g, {bias_size}));
  return s;
}

OpTableEntry entry(std::string name, ConvTranspose2dOptions o, std::function<Samples(Generator&)> samples,
                   std::function<Samples(Generator&)> large) {
  OpTableEntry e;
  e.name = std::move(name);
  e.fn = [o](const std::vector<Tensor>& x) { return conv_transpose2d(x[0], x[1], x.size() > 2 ? x[2] : Tensor{}, o); };
  e.samples = std::move(samples);
  e.large_samples = std::move(large);
  e.f32_tolerance = 1e-4;  // sums of hundreds of products, as conv2d
  return e;
}

const OpRegistration reg_conv_transpose2d(entry(
    "conv_transpose2d", {},
    [](Generator& g) -> Samples {
      Samples s{sample(g, "[2, 3, 4, 4] * [3, 2, 3, 3]", {2, 3, 4, 4}, {3, 2, 3, 3}, 2),
                sample(g, "no bias, odd [1, 2, 3, 5] * [2, 3, 2, 3]", {1, 2, 3, 5}, {2, 3, 2, 3}, 0),
                sample(g, "transposed view input [1, 2, 4, 3] * [2, 2, 3, 3]", {1, 2, 3, 4}, {2, 2, 3, 3}, 2),
                sample(g, "empty batch [0, 3, 4, 4] * [3, 2, 3, 3]", {0, 3, 4, 4}, {3, 2, 3, 3}, 2)};
      s[2].transposed = {0};
      return s;
    },
    [](Generator& g) -> Samples {
      return {sample(g, "[8, 32, 7, 7] * [32, 16, 3, 3]", {8, 32, 7, 7}, {32, 16, 3, 3}, 16),
              sample(g, "empty batch [0, 32, 7, 7] * [32, 16, 3, 3]", {0, 32, 7, 7}, {32, 16, 3, 3}, 16)};
    }));

const OpRegistration reg_conv_transpose2d_stride2(entry(
    "conv_transpose2d_stride2_pad1_outpad1", {.stride = 2, .padding = 1, .output_padding = 1},
    [](Generator& g) -> Samples {
      return {sample(g, "[2, 2, 3, 3] * [2, 3, 3, 3]", {2, 2, 3, 3}, {2, 3, 3, 3}, 3),
              sample(g, "no bias [1, 3, 2, 4] * [3, 2, 4, 3]", {1, 3, 2, 4}, {3, 2, 4, 3}, 0),
              sample(g, "empty batch [0, 2, 3, 3] * [2, 3, 3, 3]", {0, 2, 3, 3}, {2, 3, 3, 3}, 3)};
    },
    [](Generator& g) -> Samples {
      return {sample(g, "[8, 16, 7, 7] * [16, 8, 4, 4]", {8, 16, 7, 7}, {16, 8, 4, 4}, 8),
              sample(g, "empty batch [0, 16, 7, 7] * [16, 8, 4, 4]", {0, 16, 7, 7}, {16, 8, 4, 4}, 8)};
    }));

const OpRegistration reg_conv_transpose2d_groups(entry(
    "conv_transpose2d_groups2_dilation2", {.stride = {2, 1}, .padding = {0, 1}, .dilation = 2, .groups = 2},
    [](Generator& g) -> Samples {
      return {sample(g, "[2, 4, 3, 3] * [4, 1, 3, 2]", {2, 4, 3, 3}, {4, 1, 3, 2}, 2),
              sample(g, "no bias [1, 2, 2, 4] * [2, 3, 2, 3]", {1, 2, 2, 4}, {2, 3, 2, 3}, 0),
              sample(g, "empty batch [0, 4, 3, 3] * [4, 1, 3, 2]", {0, 4, 3, 3}, {4, 1, 3, 2}, 2)};
    },
    [](Generator& g) -> Samples {
      return {sample(g, "[4, 16, 9, 9] * [16, 4, 3, 3]", {4, 16, 9, 9}, {16, 4, 3, 3}, 8),
              sample(g, "empty batch [0, 16, 9, 9] * [16, 4, 3, 3]", {0, 16, 9, 9}, {16, 4, 3, 3}, 8)};
    }));

// output_padding 1 at stride 1 is below the dilation 2 only: the cut-out path.
const OpRegistration reg_conv_transpose2d_outpad_dilation(entry(
    "conv_transpose2d_outpad1_dilation2", {.padding = {1, 0}, .output_padding = 1, .dilation = 2},
    [](Generator& g) -> Samples {
      return {sample(g, "[2, 2, 3, 3] * [2, 3, 3, 2]", {2, 2, 3, 3}, {2, 3, 3, 2}, 3),
              sample(g, "no bias [1, 1, 2, 4] * [1, 2, 2, 2]", {1, 1, 2, 4}, {1, 2, 2, 2}, 0),
              sample(g, "empty batch [0, 2, 3, 3] * [2, 3, 3, 2]", {0, 2, 3, 3}, {2, 3, 3, 2}, 3)};
    },
    [](Generator& g) -> Samples {
      return {sample(g, "[4, 16, 9, 9] * [16, 8, 3, 3]", {4, 16, 9, 9}, {16, 8, 3, 3}, 8),
              sample(g, "empty batch [0, 16, 9, 9] * [16, 8, 3, 3]", {0, 16, 9, 9}, {16, 8, 3, 3}, 8)};
    }));

}  // namespace

}  // namespace tg
