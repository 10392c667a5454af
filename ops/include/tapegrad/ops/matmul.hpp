#pragma once
#include "tapegrad/tensor.hpp"

namespace tg {

// Matrix product: [M, K] x [K, N] -> [M, N]; batched [..., M, K] x [..., K, N] with the
// batch dims broadcast; a 1-D operand is treated as a row (left) or column (right)
// vector and its dim is dropped from the result, as in NumPy.
Tensor matmul(const Tensor& a, const Tensor& b);

}  // namespace tg
