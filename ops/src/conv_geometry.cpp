// The checked geometry of a convolution's arguments (conv_geometry.hpp), shared by
// conv2d and its two gradient ops.
#include "conv_geometry.hpp"

#include <algorithm>

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
  TG_CHECK(o.padding_mode == PadMode::constant && !o.padding_same,
           "{}: padding_mode and padding_same are resolved by conv2d; pass their gradients zero padding", op);
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

}  // namespace tg
