#pragma once
// Reductions over all elements or over axes (negative axes count from the end).
#include <vector>

#include "tapegrad/tensor.hpp"

namespace tg {

Tensor sum(const Tensor& x);
Tensor sum(const Tensor& x, const std::vector<std::int64_t>& axes, bool keepdim = false);
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, const std::vector<std::int64_t>& axes, bool keepdim = false);
// Sums x down to `shape` (the inverse of broadcasting; used by backward rules).
Tensor sum_to(const Tensor& x, const Shape& shape);

}  // namespace tg
