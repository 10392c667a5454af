#include "tapegrad/nn/smooth_activations.hpp"

#include <cmath>
#include <utility>

#include "tapegrad/ops/activations.hpp"

namespace tg::nn {

GELU::GELU(std::string approximate) : approximate_(std::move(approximate)) {
  TG_CHECK(approximate_ == "none" || approximate_ == "tanh", "GELU: approximate must be \"none\" or \"tanh\", got \"{}\"",
           approximate_);
}
Tensor GELU::forward(const Tensor& x) { return gelu(x, approximate_); }
std::string GELU::extra_repr() const { return approximate_ == "none" ? "" : fmt::format("approximate={}", approximate_); }

Softplus::Softplus(double beta, double threshold) : beta_(beta), threshold_(threshold) {
  TG_CHECK(beta > 0 && std::isfinite(beta), "Softplus: beta must be positive and finite, got {}", beta);
  TG_CHECK(!std::isnan(threshold), "Softplus: threshold must be a number, got {}", threshold);
}
Tensor Softplus::forward(const Tensor& x) { return softplus(x, beta_, threshold_); }
std::string Softplus::extra_repr() const { return fmt::format("beta={}, threshold={}", beta_, threshold_); }

}  // namespace tg::nn
