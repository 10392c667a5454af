#pragma once
// Fractional max pooling over given regions (the op draws them; fractional_max_pool.cpp).
#include <cstdint>
#include <vector>

#include "tapegrad/tensor.hpp"

namespace tg::kernels {

// x [N, C, H, W]; rows holds, per image, the OH + 1 region starts along H (the last
// is H), cols the OW + 1 starts along W. y [N, C, OH, OW] (contiguous) receives each
// region's maximum, indices (i64, same shape) its flat position h * W + w in the plane.
void fractional_max_pool_forward(const Tensor& x, const std::vector<std::int64_t>& rows,
                                 const std::vector<std::int64_t>& cols, const Tensor& y, const Tensor& indices);

}  // namespace tg::kernels
