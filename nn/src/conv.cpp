#include "tapegrad/nn/conv.hpp"

#include "repr_util.hpp"
#include "tapegrad/nn/init.hpp"

namespace tg::nn {

Conv2d::Conv2d(std::int64_t in_channels, std::int64_t out_channels, Size2d kernel, const Conv2dOptions& options,
               bool bias, Generator* gen)
    : in_channels_(in_channels), out_channels_(out_channels), kernel_(kernel), options_(options) {
  TG_CHECK(in_channels > 0 && out_channels > 0, "Conv2d: channel counts must be positive, got in {}, out {}",
           in_channels, out_channels);
  TG_CHECK(kernel.h > 0 && kernel.w > 0, "Conv2d: kernel must be positive, got ({}, {})", kernel.h, kernel.w);
  TG_CHECK(options.groups > 0 && in_channels % options.groups == 0 && out_channels % options.groups == 0,
           "Conv2d: groups = {} must divide in_channels = {} and out_channels = {}", options.groups, in_channels,
           out_channels);
  weight_ = register_parameter(
      "weight", kaiming_normal_(empty({out_channels, in_channels / options.groups, kernel.h, kernel.w}), gen));
  if (bias) bias_ = register_parameter("bias", zeros({out_channels}));
}

Tensor Conv2d::forward(const Tensor& x) { return conv2d(x, weight_, bias_, options_); }

std::string Conv2d::extra_repr() const {
  std::string out = fmt::format("{}, {}, kernel={}", in_channels_, out_channels_, size_text(kernel_));
  if (!(options_.stride == Size2d(1))) out += ", stride=" + size_text(options_.stride);
  if (!(options_.padding == Size2d(0))) out += ", padding=" + size_text(options_.padding);
  if (options_.padding_same) out += ", padding=same";
  if (!(options_.dilation == Size2d(1))) out += ", dilation=" + size_text(options_.dilation);
  if (options_.groups != 1) out += fmt::format(", groups={}", options_.groups);
  if (!bias_.defined()) out += ", bias=false";
  if (options_.padding_mode == PadMode::reflect) out += ", padding_mode=reflect";
  if (options_.padding_mode == PadMode::replicate) out += ", padding_mode=replicate";
  if (options_.padding_mode == PadMode::circular) out += ", padding_mode=circular";
  return out;
}

ConvTranspose2d::ConvTranspose2d(std::int64_t in_channels, std::int64_t out_channels, Size2d kernel,
                                 const ConvTranspose2dOptions& options, bool bias, Generator* gen)
    : in_channels_(in_channels), out_channels_(out_channels), kernel_(kernel), options_(options) {
  TG_CHECK(in_channels > 0 && out_channels > 0, "ConvTranspose2d: channel counts must be positive, got in {}, out {}",
           in_channels, out_channels);
  TG_CHECK(kernel.h > 0 && kernel.w > 0, "ConvTranspose2d: kernel must be positive, got ({}, {})", kernel.h, kernel.w);
  TG_CHECK(options.groups > 0 && in_channels % options.groups == 0 && out_channels % options.groups == 0,
           "ConvTranspose2d: groups = {} must divide in_channels = {} and out_channels = {}", options.groups,
           in_channels, out_channels);
  weight_ = register_parameter(
      "weight", kaiming_normal_(empty({in_channels, out_channels / options.groups, kernel.h, kernel.w}), gen));
  if (bias) bias_ = register_parameter("bias", zeros({out_channels}));
}

Tensor ConvTranspose2d::forward(const Tensor& x) { return conv_transpose2d(x, weight_, bias_, options_); }

std::string ConvTranspose2d::extra_repr() const {
  std::string out = fmt::format("{}, {}, kernel={}", in_channels_, out_channels_, size_text(kernel_));
  if (!(options_.stride == Size2d(1))) out += ", stride=" + size_text(options_.stride);
  if (!(options_.padding == Size2d(0))) out += ", padding=" + size_text(options_.padding);
  if (!(options_.output_padding == Size2d(0))) out += ", output_padding=" + size_text(options_.output_padding);
  if (!(options_.dilation == Size2d(1))) out += ", dilation=" + size_text(options_.dilation);
  if (options_.groups != 1) out += fmt::format(", groups={}", options_.groups);
  if (!bias_.defined()) out += ", bias=false";
  return out;
}

}  // namespace tg::nn
