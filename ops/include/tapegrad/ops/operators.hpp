#pragma once
// Arithmetic operators on tensors: a + b is add(a, b) and so on (NumPy broadcasting, see
// elementwise.hpp); with a double, the affine op x * alpha + beta. They are ops, recorded
// on the tape like any other, so they live in the ops layer, not in core's tensor.hpp.
#include "tapegrad/tensor.hpp"

namespace tg {

Tensor operator-(const Tensor& x);
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, double b);
Tensor operator-(const Tensor& a, double b);
Tensor operator*(const Tensor& a, double b);
Tensor operator/(const Tensor& a, double b);
Tensor operator+(double a, const Tensor& b);
Tensor operator-(double a, const Tensor& b);
Tensor operator*(double a, const Tensor& b);
Tensor operator/(double a, const Tensor& b);

}  // namespace tg
