#include "tapegrad/nn/linear.hpp"

#include "tapegrad/nn/init.hpp"
#include "tapegrad/ops/linear.hpp"

namespace tg::nn {

Linear::Linear(std::int64_t in_features, std::int64_t out_features, bool bias, Generator* gen)
    : in_features_(in_features), out_features_(out_features) {
  TG_CHECK(in_features > 0 && out_features > 0, "Linear: sizes must be positive, got in_features {}, out_features {}",
           in_features, out_features);
  weight_ = register_parameter("weight", kaiming_normal_(empty({out_features, in_features}), gen));
  if (bias) bias_ = register_parameter("bias", zeros({out_features}));
}

Tensor Linear::forward(const Tensor& x) { return linear(x, weight_, bias_); }

std::string Linear::extra_repr() const {
  return fmt::format("{}, {}{}", in_features_, out_features_, bias_.defined() ? "" : ", bias=false");
}

}  // namespace tg::nn
