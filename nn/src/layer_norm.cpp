#include "tapegrad/nn/layer_norm.hpp"

#include <utility>

#include "tapegrad/ops/normalization.hpp"

namespace tg::nn {

LayerNorm::LayerNorm(std::vector<std::int64_t> normalized_shape, double eps, bool elementwise_affine)
    : normalized_shape_(std::move(normalized_shape)), eps_(eps) {
  const Shape shape(normalized_shape_);
  TG_CHECK(!normalized_shape_.empty(), "LayerNorm: normalized_shape is empty, expected the sizes of 1 or more trailing dims");
  for (std::int64_t d : normalized_shape_)
    TG_CHECK(d > 0, "LayerNorm: normalized_shape {} must have positive sizes", shape.str());
  TG_CHECK(eps > 0, "LayerNorm: eps must be positive, got {}", eps);
  if (elementwise_affine) {
    weight_ = register_parameter("weight", ones(shape));
    bias_ = register_parameter("bias", zeros(shape));
  }
}

Tensor LayerNorm::forward(const Tensor& x) { return layer_norm(x, normalized_shape_, weight_, bias_, eps_); }

std::string LayerNorm::extra_repr() const {
  return fmt::format("{}, eps={}{}", Shape(normalized_shape_).str(), eps_,
                     weight_.defined() ? "" : ", elementwise_affine=false");
}

GroupNorm::GroupNorm(std::int64_t num_groups, std::int64_t num_channels, double eps, bool affine)
    : num_groups_(num_groups), num_channels_(num_channels), eps_(eps) {
  TG_CHECK(num_groups > 0 && num_channels > 0,
           "GroupNorm: num_groups and num_channels must be positive, got num_groups {}, num_channels {}", num_groups,
           num_channels);
  TG_CHECK(num_channels % num_groups == 0, "GroupNorm: {} channels do not split into {} groups", num_channels,
           num_groups);
  TG_CHECK(eps > 0, "GroupNorm: eps must be positive, got {}", eps);
  if (affine) {
    weight_ = register_parameter("weight", ones({num_channels}));
    bias_ = register_parameter("bias", zeros({num_channels}));
  }
}

Tensor GroupNorm::forward(const Tensor& x) {
  TG_CHECK(x.dim() >= 2 && x.size(1) == num_channels_, "{}: input {} has {} channels (dim 1), expected {}", name(),
           x.shape().str(), x.dim() >= 2 ? x.size(1) : 0, num_channels_);
  return group_norm(x, num_groups_, weight_, bias_, eps_);
}

std::string GroupNorm::extra_repr() const {
  return fmt::format("{}, {}, eps={}{}", num_groups_, num_channels_, eps_, weight_.defined() ? "" : ", affine=false");
}

}  // namespace tg::nn
