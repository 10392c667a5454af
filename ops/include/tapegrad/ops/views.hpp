#pragma once
// Shape ops. reshape of contiguous data, transpose, slice, expand, squeeze and
// unsqueeze return views that share storage (reshape copies when it must).
#include <vector>

#include "tapegrad/tensor.hpp"

namespace tg {

// One dim may be -1 (inferred).
Tensor reshape(const Tensor& x, const std::vector<std::int64_t>& shape);
Tensor transpose(const Tensor& x, std::int64_t dim0, std::int64_t dim1);
// Elements start, start+step, ... < stop along axis (stop is clamped to the size).
Tensor slice(const Tensor& x, std::int64_t axis, std::int64_t start, std::int64_t stop, std::int64_t step = 1);
Tensor expand(const Tensor& x, const Shape& shape);
Tensor unsqueeze(const Tensor& x, std::int64_t axis);
Tensor squeeze(const Tensor& x, std::int64_t axis);
Tensor flatten(const Tensor& x);

}  // namespace tg
