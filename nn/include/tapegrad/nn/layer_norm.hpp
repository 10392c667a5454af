#pragma once
// Per-sample normalization layers (tapegrad/ops/normalization.hpp): no running
// statistics, the same computation in training and eval.
#include <cstdint>
#include <vector>

#include "tapegrad/nn/module.hpp"

namespace tg::nn {

// Layer normalization over the trailing dims normalized_shape (Ba, Kiros & Hinton 2016).
// With elementwise_affine, parameters "weight" (ones) and "bias" (zeros) of shape
// normalized_shape.
class LayerNorm : public Module {
 public:
  explicit LayerNorm(std::vector<std::int64_t> normalized_shape, double eps = 1e-5, bool elementwise_affine = true);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "LayerNorm"; }
  std::string extra_repr() const override;
  const std::vector<std::int64_t>& normalized_shape() const { return normalized_shape_; }
  double eps() const { return eps_; }
  const Tensor& weight() const { return weight_; }  // undefined without elementwise_affine
  const Tensor& bias() const { return bias_; }

 private:
  std::vector<std::int64_t> normalized_shape_;
  double eps_;
  Tensor weight_, bias_;
};

// Group normalization of [N, C, *] with C split into num_groups groups (Wu & He 2018).
// With affine, parameters "weight" (ones) and "bias" (zeros) of shape [C].
class GroupNorm : public Module {
 public:
  GroupNorm(std::int64_t num_groups, std::int64_t num_channels, double eps = 1e-5, bool affine = true);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "GroupNorm"; }
  std::string extra_repr() const override;
  std::int64_t num_groups() const { return num_groups_; }
  std::int64_t num_channels() const { return num_channels_; }
  const Tensor& weight() const { return weight_; }  // undefined without affine
  const Tensor& bias() const { return bias_; }

 private:
  std::int64_t num_groups_, num_channels_;
  double eps_;
  Tensor weight_, bias_;
};

}  // namespace tg::nn
