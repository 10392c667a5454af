#pragma once
#include "tapegrad/nn/module.hpp"
#include "tapegrad/ops/upsample.hpp"

namespace tg::nn {

// Upsampling of [N, C, H, W] to a size or by a scale factor (tg::interpolate, nearest
// or bilinear); no parameters.
class Upsample : public Module {
 public:
  explicit Upsample(const InterpolateOptions& options);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Upsample"; }
  std::string extra_repr() const override;

 private:
  InterpolateOptions options_;
};

}  // namespace tg::nn
