#pragma once
// oneDNN wrappers for pooling and batch normalization (f32, plain contiguous NCHW).
#include <oneapi/dnnl/dnnl.hpp>

#include "pool_geometry.hpp"
#include "tapegrad/tensor.hpp"

namespace tg::backend {

// Below this many input elements f32 pooling runs on the reference loops. Measured on
// 2 cores (max/avg pool k2, forward): the loops cost 2.2 us + 2.3 ns per element; a
// oneDNN call 2.7 us at 512-2048 elements with 1 thread (crossover near 512), but
// about 7 us with 2 OpenMP threads, which moves the crossover to a few thousand.
inline constexpr std::int64_t kPoolMinElements = 4096;
// Same for batch normalization of [N, C] inputs ([N, C, H, W] always runs on the
// loops: oneDNN 2.6 has no JIT kernel for plain NCHW).
inline constexpr std::int64_t kBatchNormMinElements = 4096;

// y = pooling of x (alg: pooling_max, pooling_avg_include_padding or
// pooling_avg_exclude_padding). For max pooling, a non-null workspace asks for the
// training forward: it receives oneDNN's opaque record of where the maxima were
// (raw bytes in an i64 tensor), which pool_backward_f32 needs.
void pool_forward_f32(dnnl::algorithm alg, const ops::PoolGeometry& geometry, const Tensor& x, const Tensor& y,
                      Tensor* workspace);
// dx = gradient of the pooling for dy; workspace from pool_forward_f32 (max only).
void pool_backward_f32(dnnl::algorithm alg, const ops::PoolGeometry& geometry, const Tensor& dy, const Tensor& dx,
                       const Tensor& workspace);

// Batch normalization of x ([N, C] or [N, C, H, W], contiguous; only [N, C] gets JIT
// kernels); weight and bias are [C] or undefined. global_stats: mean and var ([C])
// are inputs (eval mode); otherwise they are outputs, the batch mean and biased variance.
void batch_norm_forward_f32(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& mean,
                            const Tensor& var, bool global_stats, float eps, const Tensor& y);
// dx (and dweight, dbias when the forward had weight, bias: else pass undefined)
// for dy, from the forward's x, mean and var.
void batch_norm_backward_f32(const Tensor& x, const Tensor& dy, const Tensor& weight, bool has_bias, const Tensor& mean,
                             const Tensor& var, bool global_stats, float eps, const Tensor& dx, const Tensor& dweight,
                             const Tensor& dbias);

}  // namespace tg::backend
