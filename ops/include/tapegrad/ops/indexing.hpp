#pragma once
// Indexing along one axis with i64 index tensors (indices in [0, size), checked).
#include <cstdint>

#include "tapegrad/tensor.hpp"

namespace tg {

// out[..., j, ...] = x[..., indices[j], ...]; indices is 1-D.
Tensor index_select(const Tensor& x, std::int64_t axis, const Tensor& indices);
// base with source[..., j, ...] added into base[..., indices[j], ...] (repeated
// indices accumulate); source has base's shape with indices.numel() along axis.
Tensor index_add(const Tensor& base, std::int64_t axis, const Tensor& indices, const Tensor& source);
// out[i][j][k] = x[i][index[i][j][k]][k] for axis 1 (likewise for any axis); index has
// x's rank and no dim larger than x's except along axis; out has index's shape.
Tensor gather(const Tensor& x, std::int64_t axis, const Tensor& index);
// base with source[i][j][k] added into base[i][index[i][j][k]][k] for axis 1 (likewise
// for any axis); source has index's shape.
Tensor scatter_add(const Tensor& base, std::int64_t axis, const Tensor& index, const Tensor& source);

}  // namespace tg
