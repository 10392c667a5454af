// conv2d's padding = "same" and padding modes (reflect, replicate, circular), as in
// PyTorch's F.conv2d / nn.Conv2d: the input is padded by tg::pad (differentiable to any
// order) and convolved without padding. "same" with an odd total padding, which zero
// padding cannot split evenly, pads one more on the bottom / right (docs/formulas.md).
#include "conv_padding.hpp"

#include <string>

#include "op_pattern.hpp"
#include "tapegrad/ops/op_table.hpp"

namespace tg {

Tensor conv2d_padded(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv2dOptions& o) {
  constexpr const char* op = "conv2d";
  TG_CHECK(o.padding_mode == PadMode::constant || o.padding_mode == PadMode::reflect ||
               o.padding_mode == PadMode::replicate || o.padding_mode == PadMode::circular,
           "{}: padding_mode {} is not constant, reflect, replicate or circular", op, static_cast<int>(o.padding_mode));
  TG_CHECK(weight.dim() == 4, "{}: weight has {} dims {}, expected 4 (O, C/groups, KH, KW)", op, weight.dim(),
           weight.shape().str());
  TG_CHECK(x.dim() == 4, "{}: input has {} dims {}, expected 4 (N, C, H, W)", op, x.dim(), x.shape().str());
  std::int64_t top = o.padding.h, bottom = o.padding.h, left = o.padding.w, right = o.padding.w;
  if (o.padding_same) {
    TG_CHECK(o.stride == Size2d(1), "{}: padding \"same\" needs stride 1 (as in PyTorch), got [{}, {}]", op, o.stride.h,
             o.stride.w);
    TG_CHECK(o.padding == Size2d(0), "{}: padding \"same\" computes the padding itself, but padding [{}, {}] was given",
             op, o.padding.h, o.padding.w);
    TG_CHECK(o.dilation.h >= 1 && o.dilation.w >= 1, "{}: dilation must be >= 1, got [{}, {}]", op, o.dilation.h,
             o.dilation.w);
    const std::int64_t total_h = o.dilation.h * (weight.size(2) - 1), total_w = o.dilation.w * (weight.size(3) - 1);
    top = total_h / 2, bottom = total_h - top, left = total_w / 2, right = total_w - left;
  }
  TG_CHECK(top >= 0 && left >= 0, "{}: padding must be >= 0, got [{}, {}]", op, o.padding.h, o.padding.w);
  Conv2dOptions plain = o;
  plain.padding_mode = PadMode::constant;
  plain.padding_same = false;
  // Zero padding that splits evenly stays inside the convolution (no padded copy).
  if (o.padding_mode == PadMode::constant && top == bottom && left == right) {
    plain.padding = {top, left};
    return conv2d(x, weight, bias, plain);
  }
  plain.padding = 0;
  return conv2d(pad(x, {left, right, top, bottom}, o.padding_mode), weight, bias, plain);
}

// --- op table entries: "same" with odd and even kernels, and each padding mode.
namespace {

using Samples = std::vector<OpSample>;

OpSample sample(Generator& g, std::string label, const Shape& x, const Shape& w) {
  return {std::move(label), {sample_normal(g, x), sample_normal(g, w), sample_normal(g, {w[0]})}};
}

OpTableEntry entry(std::string name, Conv2dOptions o) {
  OpTableEntry e;
  e.name = std::move(name);
  e.fn = [o](const std::vector<Tensor>& x) { return conv2d(x[0], x[1], x[2], o); };
  e.samples = [](Generator& g) -> Samples {
    Samples s{sample(g, "[2, 2, 5, 6] * [3, 2, 3, 3]", {2, 2, 5, 6}, {3, 2, 3, 3}),
              sample(g, "even kernel [1, 2, 4, 5] * [2, 2, 2, 4]", {1, 2, 4, 5}, {2, 2, 2, 4}),
              sample(g, "transposed view [1, 1, 5, 4] * [2, 1, 3, 2]", {1, 1, 4, 5}, {2, 1, 3, 2}),
              sample(g, "empty batch [0, 2, 5, 6] * [3, 2, 3, 3]", {0, 2, 5, 6}, {3, 2, 3, 3})};
    s[2].transposed = {0};
    return s;
  };
  e.large_samples = [](Generator& g) -> Samples {
    return {sample(g, "[4, 16, 14, 14] * [32, 16, 3, 3]", {4, 16, 14, 14}, {32, 16, 3, 3}),
            sample(g, "even kernel [4, 16, 14, 14] * [32, 16, 4, 4]", {4, 16, 14, 14}, {32, 16, 4, 4}),
            sample(g, "empty batch [0, 16, 14, 14] * [32, 16, 3, 3]", {0, 16, 14, 14}, {32, 16, 3, 3})};
  };
  e.f32_tolerance = 1e-4;  // as conv2d
  return e;
}

const OpRegistration reg_same(entry("conv2d_padding_same", {.padding_same = true}));
const OpRegistration reg_same_dilated(entry("conv2d_padding_same_dilation2", {.dilation = 2, .padding_same = true}));
const OpRegistration reg_reflect(entry("conv2d_padding_reflect", {.padding = 1, .padding_mode = PadMode::reflect}));
const OpRegistration reg_replicate(
    entry("conv2d_padding_replicate", {.padding = {1, 2}, .padding_mode = PadMode::replicate}));
const OpRegistration reg_circular(
    entry("conv2d_padding_circular_stride2", {.stride = 2, .padding = 1, .padding_mode = PadMode::circular}));

}  // namespace

}  // namespace tg
