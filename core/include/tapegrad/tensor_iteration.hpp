#pragma once
// Glue between tensors and for_each_strided: byte strides of tensors broadcast to a
// loop shape, and the plain (unrecorded) element copy every conversion is built on.
#include <array>

#include "tapegrad/strided_loop.hpp"
#include "tapegrad/tensor.hpp"

namespace tg {

// Operands for a loop over `shape`; each tensor broadcasts against it (NumPy rules:
// missing leading dims and size-1 dims get stride 0).
template <int K>
StridedOperands<K> strided_operands(const Shape& shape, const std::array<const Tensor*, K>& tensors) {
  StridedOperands<K> ops;
  const int rank = shape.size();
  for (int k = 0; k < K; ++k) {
    const Tensor& t = *tensors[k];
    ops.data[k] = static_cast<char*>(t.raw_data());
    const std::int64_t esize = static_cast<std::int64_t>(dtype_size(t.dtype()));
    ops.strides[k].resize(rank);
    for (int i = 0; i < rank; ++i) {
      const int j = i - (rank - t.dim());
      ops.strides[k][i] = (j >= 0 && t.shape()[j] != 1) ? t.strides()[j] * esize : 0;
    }
  }
  return ops;
}

// dst[i] = convert(src[i]), src broadcast to dst's shape. Not recorded; no version bump.
void copy_elements(const Tensor& dst, const Tensor& src);

}  // namespace tg
