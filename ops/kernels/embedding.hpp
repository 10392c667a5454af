#pragma once
// The loops of embedding: rows of a table read through i64 indices, and gradient rows
// added back into the table's rows. indices is contiguous 1-D i64 [M], every index in
// [0, num) (the op checks); pad is the padding index, or -1 for none.
#include <cstdint>

#include "tapegrad/tensor.hpp"

namespace tg::kernels {

// out (contiguous [M, D]) row i = weight (strided [num, D]) row indices[i], or zeros
// where zero_padding and indices[i] == pad.
void embedding_rows(const Tensor& weight, const Tensor& indices, std::int64_t pad, bool zero_padding,
                    const Tensor& out);
// out (contiguous [num, D], zeroed here) row k = sum of g (strided [M, D]) rows i with
// indices[i] == k != pad. Serial: repeated indices add in a fixed order.
void embedding_accumulate(const Tensor& g, const Tensor& indices, std::int64_t pad, const Tensor& out);

}  // namespace tg::kernels
