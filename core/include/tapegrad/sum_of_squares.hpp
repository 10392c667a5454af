#pragma once
// sum_i t_i^2 accumulated in f64, for gradient norms (optimizers' clip_norm) and the L2
// penalty: a plain number, not recorded on the tape.
#include "tapegrad/tensor.hpp"

namespace tg {

// Any strides; f32 or f64. The result depends only on the values, the size and the
// thread count (parallel_sum adds the per-thread partial sums in thread order).
double sum_of_squares(const Tensor& t);

}  // namespace tg
