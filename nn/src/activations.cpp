#include "tapegrad/nn/activations.hpp"

#include "tapegrad/ops/activations.hpp"
#include "tapegrad/ops/elementwise.hpp"

namespace tg::nn {

Tensor ReLU::forward(const Tensor& x) { return relu(x); }
Tensor LeakyReLU::forward(const Tensor& x) { return leaky_relu(x, slope_); }
std::string LeakyReLU::extra_repr() const { return fmt::format("slope={}", slope_); }
Tensor Tanh::forward(const Tensor& x) { return tg::tanh(x); }
Tensor Sigmoid::forward(const Tensor& x) { return sigmoid(x); }

}  // namespace tg::nn
