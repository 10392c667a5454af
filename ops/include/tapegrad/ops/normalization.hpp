#pragma once
// Batch normalization over [N, C] or [N, C, H, W] (statistics per channel C).
#include "tapegrad/tensor.hpp"

namespace tg {

// y = (x - mean) / sqrt(var + eps) * weight + bias, per channel.
//
// training: mean and (biased) var of the batch, differentiated through; when
// running_mean / running_var are given they are updated in place (not recorded):
//   running = (1 - momentum) * running + momentum * batch,
// with the unbiased batch variance for running_var (PyTorch's convention).
// eval (training = false): the running statistics; without them (undefined tensors,
// track_running_stats = false) the batch statistics, as in training.
// weight and bias ([C]) may be undefined (no affine transform). running_mean and
// running_var are [C] and both given or both undefined. All share x's dtype.
Tensor batch_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                  const Tensor& running_var, bool training, double momentum = 0.1, double eps = 1e-5);

}  // namespace tg
