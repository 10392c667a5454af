#pragma once
// Embedding lookup: rows of a table read through integer indices.
#include <cstdint>
#include <optional>

#include "tapegrad/tensor.hpp"

namespace tg {

// out[..., :] = weight[indices[...], :]: indices i64 of any shape (each in [0, num)),
// weight [num, dim], out indices.shape + [dim]. The gradient adds each output row's
// gradient into the weight row it read (repeated indices accumulate). padding_idx
// (negative counts from the end, as PyTorch): that row is read like any other but
// gets no gradient. Indices carry no gradient.
Tensor embedding(const Tensor& indices, const Tensor& weight, std::optional<std::int64_t> padding_idx = std::nullopt);

}  // namespace tg
