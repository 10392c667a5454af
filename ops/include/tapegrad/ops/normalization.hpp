#pragma once
// Batch normalization over [N, C] or [N, C, H, W] (statistics per channel C), layer
// and group normalization (statistics per sample). docs/formulas.md, Normalization.
#include <cstdint>
#include <vector>

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

// Layer normalization: each sample standardized over its trailing dims, which must
// equal normalized_shape (biased variance, as PyTorch), then y * weight + bias with
// weight and bias of shape normalized_shape (either may be undefined).
Tensor layer_norm(const Tensor& x, const std::vector<std::int64_t>& normalized_shape, const Tensor& weight = {},
                  const Tensor& bias = {}, double eps = 1e-5);

// Group normalization of x [N, C, *]: channels split into num_groups consecutive
// groups (C divisible by num_groups), each (sample, group) standardized over its
// channels and positions, then y * weight[c] + bias[c] with weight and bias [C]
// (either may be undefined). num_groups = 1 is layer norm over (C, *) with per-channel
// affine; num_groups = C is instance norm.
Tensor group_norm(const Tensor& x, std::int64_t num_groups, const Tensor& weight = {}, const Tensor& bias = {},
                  double eps = 1e-5);

}  // namespace tg
