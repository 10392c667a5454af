#pragma once
// More elementwise ops: clamp, square, reciprocal, log1p; maximum, minimum and where
// with NumPy broadcasting. The comparisons (0/1 masks) are in comparisons.hpp.
#include "tapegrad/ops/comparisons.hpp"
#include "tapegrad/tensor.hpp"

namespace tg {

// min(max(x, lo), hi); an error when lo > hi. The gradient passes where lo <= x <= hi.
Tensor clamp(const Tensor& x, double lo, double hi);
Tensor square(const Tensor& x);
Tensor reciprocal(const Tensor& x);
Tensor log1p(const Tensor& x);  // log(1 + x), accurate for small x

// Elementwise max/min with broadcasting; the gradient goes to the larger (smaller)
// input, and is split half/half on ties (as PyTorch).
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);

// a where mask is nonzero, b elsewhere; mask, a and b broadcast together. mask may have
// any dtype; a and b share one. The gradient goes to a where mask, to b elsewhere.
Tensor where(const Tensor& mask, const Tensor& a, const Tensor& b);

}  // namespace tg
