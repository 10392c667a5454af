#include "tapegrad/nn/pooling.hpp"

#include "repr_util.hpp"
#include "tapegrad/ops/pooling.hpp"

namespace tg::nn {

MaxPool2d::MaxPool2d(Size2d kernel, std::optional<Size2d> stride, Size2d padding, Size2d dilation, bool ceil_mode)
    : kernel_(kernel), stride_(stride.value_or(kernel)), padding_(padding), dilation_(dilation), ceil_mode_(ceil_mode) {}

Tensor MaxPool2d::forward(const Tensor& x) {
  return max_pool2d(x, kernel_, stride_, padding_, dilation_, ceil_mode_);
}

PoolWithIndices MaxPool2d::forward_with_indices(const Tensor& x) const {
  return max_pool2d_with_indices(x, kernel_, stride_, padding_, dilation_, ceil_mode_);
}

std::string MaxPool2d::extra_repr() const {
  std::string out =
      fmt::format("kernel={}, stride={}, padding={}", size_text(kernel_), size_text(stride_), size_text(padding_));
  if (!(dilation_ == Size2d(1))) out += ", dilation=" + size_text(dilation_);
  if (ceil_mode_) out += ", ceil_mode=true";
  return out;
}

MaxUnpool2d::MaxUnpool2d(Size2d kernel, std::optional<Size2d> stride, Size2d padding)
    : kernel_(kernel), stride_(stride.value_or(kernel)), padding_(padding) {}

Tensor MaxUnpool2d::unpool(const Tensor& x, const Tensor& indices) const {
  return max_unpool2d(x, indices, kernel_, stride_, padding_);
}

Tensor MaxUnpool2d::unpool(const Tensor& x, const Tensor& indices, Size2d output_size) const {
  return max_unpool2d(x, indices, output_size);
}

Tensor MaxUnpool2d::forward(const Tensor&) {
  fail("MaxUnpool2d: forward takes one tensor, but unpooling needs the indices too; call unpool(x, indices)");
}

std::string MaxUnpool2d::extra_repr() const {
  return fmt::format("kernel={}, stride={}, padding={}", size_text(kernel_), size_text(stride_), size_text(padding_));
}

AdaptiveAvgPool2d::AdaptiveAvgPool2d(Size2d output_size) : output_size_(output_size) {
  TG_CHECK(output_size.h >= 1 && output_size.w >= 1, "AdaptiveAvgPool2d: output size must be positive, got ({}, {})",
           output_size.h, output_size.w);
}

Tensor AdaptiveAvgPool2d::forward(const Tensor& x) { return adaptive_avg_pool2d(x, output_size_); }

std::string AdaptiveAvgPool2d::extra_repr() const { return "output_size=" + size_text(output_size_); }

AdaptiveMaxPool2d::AdaptiveMaxPool2d(Size2d output_size) : output_size_(output_size) {
  TG_CHECK(output_size.h >= 1 && output_size.w >= 1, "AdaptiveMaxPool2d: output size must be positive, got ({}, {})",
           output_size.h, output_size.w);
}

Tensor AdaptiveMaxPool2d::forward(const Tensor& x) { return adaptive_max_pool2d(x, output_size_); }

PoolWithIndices AdaptiveMaxPool2d::forward_with_indices(const Tensor& x) const {
  return adaptive_max_pool2d_with_indices(x, output_size_);
}

std::string AdaptiveMaxPool2d::extra_repr() const { return "output_size=" + size_text(output_size_); }

AvgPool2d::AvgPool2d(Size2d kernel, std::optional<Size2d> stride, Size2d padding, bool count_include_pad)
    : kernel_(kernel), stride_(stride.value_or(kernel)), padding_(padding), count_include_pad_(count_include_pad) {}

Tensor AvgPool2d::forward(const Tensor& x) { return avg_pool2d(x, kernel_, stride_, padding_, count_include_pad_); }

std::string AvgPool2d::extra_repr() const {
  return fmt::format("kernel={}, stride={}, padding={}{}", size_text(kernel_), size_text(stride_),
                     size_text(padding_), count_include_pad_ ? "" : ", count_include_pad=false");
}

FractionalMaxPool2d::FractionalMaxPool2d(OutputSize output, Generator* gen) : output_size_(output.size), gen_(gen) {
  TG_CHECK(output.size.h > 0 && output.size.w > 0, "FractionalMaxPool2d: output size must be positive, got ({}, {})",
           output.size.h, output.size.w);
}

FractionalMaxPool2d::FractionalMaxPool2d(OutputRatio output, Generator* gen) : ratio_(output.ratio), gen_(gen) {
  TG_CHECK(output.ratio > 0 && output.ratio <= 1, "FractionalMaxPool2d: ratio must be in (0, 1], got {}",
           output.ratio);
}

Tensor FractionalMaxPool2d::pool(const Tensor& x, Generator* gen) const {
  return output_size_ ? fractional_max_pool2d(x, *output_size_, gen) : fractional_max_pool2d(x, ratio_, gen);
}

Tensor FractionalMaxPool2d::forward(const Tensor& x) {
  if (is_training()) return pool(x, gen_);
  Generator fixed(eval_seed);
  return pool(x, &fixed);
}

std::string FractionalMaxPool2d::extra_repr() const {
  return output_size_ ? "output_size=" + size_text(*output_size_) : fmt::format("ratio={}", ratio_);
}

}  // namespace tg::nn
