#pragma once
// softmax and log_softmax along one axis, max-subtracted for stability:
//   softmax(x)_j = exp(x_j - m) / sum_k exp(x_k - m),  m = max_k x_k
//   log_softmax(x)_j = x_j - m - log(sum_k exp(x_k - m))
// and their backward from the output y: softmax: dx = y * (dy - sum(dy * y));
// log_softmax: dx = dy - exp(y) * sum(dy). Large f32 runs on oneDNN's softmax_v2
// primitives (dnnl_softmax.cpp), the rest on the loops of softmax.cpp.
#include <cstdint>

#include "tapegrad/tensor.hpp"

namespace tg::kernels {

// Below these sizes softmax runs as a plain loop. Measured on 2 shared EPYC cores,
// [N, C] along C. The forward and log_softmax's backward take an expf per element
// (scalar, ~3.6 ns): one oneDNN thread costs 0.7 us at 40 elements, 1.7 us at 640
// (loop 2.3 us), 1.4 us at 1024 (loop 3.9 us); two threads have a ~4.5 us floor, and
// [64, 10] (the Fashion-MNIST head) runs at the default two. softmax's backward has
// no exp (loop 0.3 us at 640, 2.0 us at 4096 against oneDNN's 1.3 and 1.8 us).
inline constexpr std::int64_t kSoftmaxMinElements = 1024;
inline constexpr std::int64_t kSoftmaxBackwardMinElements = 4096;  // softmax, not log_softmax

// softmax(x) (log: log_softmax(x)) along axis (non-negative), a new contiguous tensor.
Tensor softmax_forward(const Tensor& x, int axis, bool log);
// dx for dy, from the forward output y (contiguous), a new contiguous tensor.
Tensor softmax_backward(const Tensor& dy, const Tensor& y, int axis, bool log);

// The oneDNN halves; tensors are contiguous and of one shape.
// y = softmax(x) (log: log_softmax(x)) along axis.
void softmax_forward_f32(const Tensor& x, const Tensor& y, int axis, bool log);
// dx from dy and the forward output y: softmax: y * (dy - sum(dy * y));
// log_softmax: dy - exp(y) * sum(dy); sums along axis.
void softmax_backward_f32(const Tensor& dy, const Tensor& y, const Tensor& dx, int axis, bool log);

}  // namespace tg::kernels
