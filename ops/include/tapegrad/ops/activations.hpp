#pragma once
// Activations beyond relu/tanh/sigmoid. f32 runs on oneDNN eltwise above a size
// threshold (plain loops below), f64 on reference kernels.
#include <string_view>

#include "tapegrad/tensor.hpp"

namespace tg {

// x where x > 0, slope * x elsewhere.
Tensor leaky_relu(const Tensor& x, double slope = 0.01);
// x where x > 0, alpha * (exp(x) - 1) elsewhere.
Tensor elu(const Tensor& x, double alpha = 1.0);
// x * Phi(x), Phi the standard normal CDF (the exact erf form, PyTorch's default).
Tensor gelu(const Tensor& x);
// approximate "none": gelu(x) above; "tanh": x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))),
// PyTorch's approximate = "tanh". Any other string is an error.
Tensor gelu(const Tensor& x, std::string_view approximate);
// log(1 + exp(beta x)) / beta, and x where beta x > threshold (as PyTorch). beta must
// be positive; the gradient is sigmoid(beta x) below the threshold, 1 above.
Tensor softplus(const Tensor& x, double beta = 1.0, double threshold = 20.0);
// g * gelu'(x): gelu's gradient as an op of its own (differentiable again).
Tensor gelu_backward(const Tensor& grad, const Tensor& x);

}  // namespace tg
