#pragma once
// Elementwise ops with NumPy broadcasting. f32 runs on oneDNN (plain loops below a
// size threshold), f64 on reference kernels. Mixing dtypes is an error.
#include "tapegrad/tensor.hpp"

namespace tg {

Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& base, const Tensor& exponent);
Tensor pow(const Tensor& base, double exponent);

// alpha * x + beta, one op (the scalar forms of + - * / and neg are built on it).
Tensor affine(const Tensor& x, double alpha, double beta);
Tensor neg(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor abs(const Tensor& x);
Tensor relu(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);

// Not differentiable (their gradient is zero almost everywhere); never recorded.
Tensor sign(const Tensor& x);  // -1, 0, 1 (the comparisons are in comparisons.hpp)

}  // namespace tg
