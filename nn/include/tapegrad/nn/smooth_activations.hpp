#pragma once
// Smooth activation layers: no parameters, the op applied elementwise
// (tapegrad/ops/activations.hpp).
#include <string>

#include "tapegrad/nn/module.hpp"

namespace tg::nn {

// x Phi(x) ("none", the exact form) or its tanh approximation ("tanh"), as PyTorch's GELU.
class GELU : public Module {
 public:
  explicit GELU(std::string approximate = "none");
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "GELU"; }
  std::string extra_repr() const override;
  const std::string& approximate() const { return approximate_; }

 private:
  std::string approximate_;
};

// log(1 + exp(beta x)) / beta, x where beta x > threshold (PyTorch's Softplus).
class Softplus : public Module {
 public:
  explicit Softplus(double beta = 1.0, double threshold = 20.0);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Softplus"; }
  std::string extra_repr() const override;
  double beta() const { return beta_; }
  double threshold() const { return threshold_; }

 private:
  double beta_, threshold_;
};

}  // namespace tg::nn
