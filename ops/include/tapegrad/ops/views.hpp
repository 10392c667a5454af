#pragma once
// Shape ops. reshape of contiguous data, transpose, slice, expand, squeeze and
// unsqueeze return views that share storage (reshape copies when it must).
#include <vector>

#include "tapegrad/tensor.hpp"

namespace tg {

// One dim may be -1 (inferred).
Tensor reshape(const Tensor& x, const std::vector<std::int64_t>& shape);
Tensor transpose(const Tensor& x, std::int64_t dim0, std::int64_t dim1);
// Elements start, start+step, ... < stop along axis, Python's a[start:stop:step]: a
// negative start or stop counts from the end (-1 is the last element), both are then
// clamped to [0, size], and stop <= start gives an empty slice. step must be positive.
Tensor slice(const Tensor& x, std::int64_t axis, std::int64_t start, std::int64_t stop, std::int64_t step = 1);
// The view of x at index along axis, with that axis removed (x[i] for axis 0): a
// negative index counts from the end; out of [-size, size) is an error.
Tensor select(const Tensor& x, std::int64_t axis, std::int64_t index);
Tensor expand(const Tensor& x, const Shape& shape);
Tensor unsqueeze(const Tensor& x, std::int64_t axis);
Tensor squeeze(const Tensor& x, std::int64_t axis);
Tensor flatten(const Tensor& x);  // to 1-D
// Merges dims start_dim..end_dim (inclusive, negative counts from the end) into one, as
// torch.flatten: flatten(x, 1) of [N, C, H, W] is [N, C*H*W].
Tensor flatten(const Tensor& x, std::int64_t start_dim, std::int64_t end_dim = -1);

}  // namespace tg
