#pragma once
// Synchronized batch normalization: the training-mode batch_norm (tapegrad/ops/
// normalization.hpp) with statistics over the batches of every process, so that N
// processes with batches of b give what one process gives on the whole batch of N * b
// (docs/distributed.md, "Synchronized BatchNorm", has the formulas).
//
// Forward: per channel, the local count, sum and sum of squares (accumulated in f64,
// for f32 inputs too) go to the other processes in ONE all_reduce_sum of an f64 tensor
// [1 + 2C]; the global mean and biased variance normalize. Backward: the local sum(dy)
// and sum(dy * xhat) of every channel in ONE all_reduce_sum ([2C], f64); dx from the
// global sums and count. The gradients of weight and bias stay local (a data-parallel
// wrapper averages them like every other parameter's). When x needs no gradient,
// backward communicates nothing.
//
// Twice differentiable: under create_graph the backward is written with tapegrad ops and
// sum_across_processes (tapegrad/nn/cross_process.hpp) and recomputes the statistics in
// x's dtype (that backward makes two all-reduces).
#include <memory>

#include "tapegrad/nn/cross_process.hpp"
#include "tapegrad/tensor.hpp"

namespace tg::nn {

// x is [N, C] or [N, C, H, W] (any layout, f32 or f64); weight and bias are [C] or
// undefined; running_mean and running_var are [C] or both undefined, and are updated in
// place (not recorded) with the global mean and the unbiased global variance:
//   running = (1 - momentum) running + momentum batch.
// Every process must call it (it is a collective) with the same C and dtype. N may
// differ between processes (even be 0), but the global count per channel must exceed 1.
Tensor synchronized_batch_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                               const Tensor& running_var, double momentum, double eps,
                               const std::shared_ptr<SumAcrossProcesses>& reducer);

}  // namespace tg::nn
