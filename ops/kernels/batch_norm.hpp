#pragma once
// Batch normalization kernels over x [N, C] or [N, C, H, W] with per-channel [C]
// tensors: f32 [N, C] on oneDNN's primitive (dnnl_batch_norm.cpp); [N, C, H, W], small
// f32 and f64 on the vectorized loops of batch_norm_reference.hpp. With mean m_c and
// biased variance v_c of channel c, y = (x - m_c) / sqrt(v_c + eps) * w_c + b_c.
#include "tapegrad/tensor.hpp"

namespace tg::kernels {

// Below this many elements f32 batch normalization of [N, C] inputs runs on the loops
// ([N, C, H, W] always does: oneDNN 2.6 has no JIT kernel for plain NCHW). Measured
// on 2 cores, as for pooling (pooling.hpp).
inline constexpr std::int64_t kBatchNormMinElements = 4096;

// y (contiguous) = batch normalization of x (any layout); weight and bias are [C] or
// undefined. global_stats: mean and var are inputs (eval mode); otherwise they are
// outputs (contiguous [C]), the batch mean and biased variance.
void batch_norm_forward(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& mean,
                        const Tensor& var, bool global_stats, double eps, const Tensor& y);

// Gradients of batch_norm_forward (undefined: not computed).
struct BatchNormGradients {
  Tensor input, weight, bias;
};
// The gradients for dy from the forward's x, weight, mean and var: at least the wanted
// ones (want_*), each a new contiguous tensor; has_bias says whether the forward had one.
BatchNormGradients batch_norm_backward(const Tensor& x, const Tensor& dy, const Tensor& weight, bool has_bias,
                                       const Tensor& mean, const Tensor& var, bool global_stats, double eps,
                                       bool want_input, bool want_weight, bool want_bias);

// running = (1 - momentum) running + momentum batch for the mean and for the variance,
// the batch variance unbiased by m / (m - 1) (m: values per channel). Writes in place.
void batch_norm_update_running(const Tensor& running_mean, const Tensor& running_var, const Tensor& mean,
                               const Tensor& var, double momentum, std::int64_t m);

// The oneDNN primitives.
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

}  // namespace tg::kernels
