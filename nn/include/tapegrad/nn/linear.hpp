#pragma once
#include <cstdint>

#include "tapegrad/nn/module.hpp"
#include "tapegrad/random.hpp"

namespace tg::nn {

// y = x weight^T + bias, weight [out, in] (He-initialized for ReLU networks, fan-in),
// bias [out] (zeros). Parameters: "weight", "bias".
class Linear : public Module {
 public:
  Linear(std::int64_t in_features, std::int64_t out_features, bool bias = true, Generator* gen = nullptr);

  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Linear"; }
  std::string extra_repr() const override;

  std::int64_t in_features() const { return in_features_; }
  std::int64_t out_features() const { return out_features_; }
  const Tensor& weight() const { return weight_; }
  const Tensor& bias() const { return bias_; }  // undefined without bias

 private:
  std::int64_t in_features_, out_features_;
  Tensor weight_, bias_;
};

}  // namespace tg::nn
