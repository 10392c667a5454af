#pragma once
// Small helpers every op file uses: argument checks with clear messages, recording a
// node for an output, and the anomaly check on forward results.
#include <memory>
#include <utility>

#include "tapegrad/autograd.hpp"
#include "tapegrad/ops/operators.hpp"
#include "tapegrad/record_node.hpp"
#include "tapegrad/tensor.hpp"

namespace tg::ops {

inline void check_floating(const char* op, const Tensor& t) {
  TG_CHECK(is_floating(t.dtype()), "{}: expected a floating tensor (f32 or f64), got {} of shape {}", op,
           dtype_name(t.dtype()), t.shape().str());
}

inline void check_same_dtype(const char* op, const Tensor& a, const Tensor& b) {
  TG_CHECK(a.dtype() == b.dtype(),
           "{}: dtypes differ: {} {} and {} {} (convert one with .to(dtype))", op,
           dtype_name(a.dtype()), a.shape().str(), dtype_name(b.dtype()), b.shape().str());
}

// After an op: in anomaly mode, name the op if it produced NaN/Inf.
inline void check_forward(const char* op, const Tensor& out) {
  if (is_anomaly_enabled()) check_finite(out, op, "forward");
}

// True when an f32 tensor holds a NaN. oneDNN's max-based kernels (max pooling, max/min
// reductions, binary max/min, softmax's row max) drop NaN, so ops that use them check
// this first and take their reference loop (which propagates NaN, as NumPy and PyTorch
// do) when it is true. f64 never runs on oneDNN: false.
inline bool f32_has_nan(const Tensor& t) {
  if (t.dtype() != f32) return false;
  const Tensor x = t.is_contiguous() ? t : t.detach().contiguous();
  const float* p = x.data<float>();
  const std::int64_t n = x.numel();
  std::int64_t nans = 0;
#pragma omp parallel for reduction(+ : nans) if (n > (1 << 16))
  for (std::int64_t i = 0; i < n; ++i) nans += p[i] != p[i];
  return nans > 0;
}

// Records NodeT (constructed from args) as the producer of out when any input needs a
// gradient. Returns the node (null when nothing was recorded) so the caller can save
// values on it.
template <class NodeT, class... Args>
std::shared_ptr<NodeT> record(const Tensor& out, std::initializer_list<const Tensor*> inputs, Args&&... args) {
  return record_node<NodeT>(out, inputs, std::forward<Args>(args)...);
}

}  // namespace tg::ops
