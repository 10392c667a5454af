#include "tapegrad/nn/pooling.hpp"

#include "repr_util.hpp"
#include "tapegrad/ops/pooling.hpp"

namespace tg::nn {

MaxPool2d::MaxPool2d(Size2d kernel, std::optional<Size2d> stride, Size2d padding)
    : kernel_(kernel), stride_(stride.value_or(kernel)), padding_(padding) {}

Tensor MaxPool2d::forward(const Tensor& x) { return max_pool2d(x, kernel_, stride_, padding_); }

std::string MaxPool2d::extra_repr() const {
  return fmt::format("kernel={}, stride={}, padding={}", size_text(kernel_), size_text(stride_), size_text(padding_));
}

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
