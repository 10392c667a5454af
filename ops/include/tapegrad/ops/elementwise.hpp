#pragma once
// Elementwise ops with NumPy broadcasting. f32 runs on oneDNN (plain loops below a
// size threshold), f64 on reference kernels. Mixing dtypes is an error.
#include "tapegrad/ops/operators.hpp"
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

// min(max(x, lo), hi); an error when lo > hi. The gradient passes where lo <= x <= hi.
Tensor clamp(const Tensor& x, double lo, double hi);
Tensor square(const Tensor& x);
Tensor reciprocal(const Tensor& x);
Tensor log1p(const Tensor& x);  // log(1 + x), accurate for small x
Tensor sin(const Tensor& x);
Tensor cos(const Tensor& x);

// Elementwise max/min with broadcasting; the gradient goes to the larger (smaller)
// input, and is split half/half on ties (as PyTorch).
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);

// a where mask is nonzero, b elsewhere; mask, a and b broadcast together. mask may have
// any dtype; a and b share one. The gradient goes to a where mask, to b elsewhere.
Tensor where(const Tensor& mask, const Tensor& a, const Tensor& b);

// Not differentiable (their gradient is zero almost everywhere); never recorded.
Tensor sign(const Tensor& x);  // -1, 0, 1 (the comparisons are in comparisons.hpp)

}  // namespace tg
