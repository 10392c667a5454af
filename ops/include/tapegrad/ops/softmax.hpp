#pragma once
// softmax and log_softmax along one axis (negative axes count from the end),
// numerically stable: exp(x - max) / sum(exp(x - max)) and x - max - log(sum(...)).
// f32 runs on oneDNN's softmax_v2 primitives (a plain loop for small tensors), f64 on
// the reference loop.
#include <cstdint>

#include "tapegrad/tensor.hpp"

namespace tg {

Tensor softmax(const Tensor& x, std::int64_t axis = -1);
Tensor log_softmax(const Tensor& x, std::int64_t axis = -1);

}  // namespace tg
