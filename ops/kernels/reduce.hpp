#pragma once
// Reductions of x over some axes; keep is x's shape with 1 on the reduced axes.
#include "tapegrad/tensor.hpp"

namespace tg::kernels {

// The sum over the reduced axes, a new contiguous tensor of shape keep.
Tensor sum_keepdim(const Tensor& x, const Shape& keep);
// The maximum (minimum) over the reduced axes (-inf (+inf) for none); a NaN wins, so
// it propagates as in a sum.
Tensor max_keepdim(const Tensor& x, const Shape& keep);
Tensor min_keepdim(const Tensor& x, const Shape& keep);

}  // namespace tg::kernels
