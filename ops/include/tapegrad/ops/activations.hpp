#pragma once
// Activations beyond relu/tanh/sigmoid. f32 runs on oneDNN eltwise above a size
// threshold (plain loops below), f64 on reference kernels.
#include "tapegrad/tensor.hpp"

namespace tg {

// x where x > 0, slope * x elsewhere.
Tensor leaky_relu(const Tensor& x, double slope = 0.01);
// x where x > 0, alpha * (exp(x) - 1) elsewhere.
Tensor elu(const Tensor& x, double alpha = 1.0);
// x * Phi(x), Phi the standard normal CDF (the exact erf form, PyTorch's default).
Tensor gelu(const Tensor& x);
// g * gelu'(x): gelu's gradient as an op of its own (differentiable again).
Tensor gelu_backward(const Tensor& grad, const Tensor& x);

}  // namespace tg
