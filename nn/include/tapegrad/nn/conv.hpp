#pragma once
#include <cstdint>

#include "tapegrad/nn/module.hpp"
#include "tapegrad/ops/conv.hpp"
#include "tapegrad/random.hpp"

namespace tg::nn {

// 2-D convolution over [N, C, H, W]: weight [out, in / groups, kh, kw] (He-initialized,
// fan-in = in / groups * kh * kw), bias [out] (zeros). Parameters: "weight", "bias".
class Conv2d : public Module {
 public:
  Conv2d(std::int64_t in_channels, std::int64_t out_channels, Size2d kernel, const Conv2dOptions& options = {},
         bool bias = true, Generator* gen = nullptr);

  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Conv2d"; }
  std::string extra_repr() const override;

  std::int64_t in_channels() const { return in_channels_; }
  std::int64_t out_channels() const { return out_channels_; }
  Size2d kernel() const { return kernel_; }
  const Conv2dOptions& options() const { return options_; }
  const Tensor& weight() const { return weight_; }
  const Tensor& bias() const { return bias_; }  // undefined without bias

 private:
  std::int64_t in_channels_, out_channels_;
  Size2d kernel_;
  Conv2dOptions options_;
  Tensor weight_, bias_;
};

// Transposed 2-D convolution over [N, C, H, W] (tg::conv_transpose2d): weight
// [in, out / groups, kh, kw] (He-initialized with PyTorch's fan-in of that layout,
// out / groups * kh * kw), bias [out] (zeros). Parameters: "weight", "bias".
class ConvTranspose2d : public Module {
 public:
  ConvTranspose2d(std::int64_t in_channels, std::int64_t out_channels, Size2d kernel,
                  const ConvTranspose2dOptions& options = {}, bool bias = true, Generator* gen = nullptr);

  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "ConvTranspose2d"; }
  std::string extra_repr() const override;

  const ConvTranspose2dOptions& options() const { return options_; }
  const Tensor& weight() const { return weight_; }
  const Tensor& bias() const { return bias_; }  // undefined without bias

 private:
  std::int64_t in_channels_, out_channels_;
  Size2d kernel_;
  ConvTranspose2dOptions options_;
  Tensor weight_, bias_;
};

}  // namespace tg::nn
