#pragma once
// Small helpers every op file uses: argument checks with clear messages and the anomaly
// check on forward results. Ops are written with op_pattern.hpp, which records them.
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

// Records NodeT (constructed from args) as the producer of out when any input needs a
// gradient. Returns the node (null when nothing was recorded) so the caller can save
// values on it. Only for hand-written nodes outside the op pattern (copy_ops.cpp's
// CopyNode, whose file is to leave ops); every op uses ops::apply.
template <class NodeT, class... Args>
std::shared_ptr<NodeT> record(const Tensor& out, std::initializer_list<const Tensor*> inputs, Args&&... args) {
  return record_node<NodeT>(out, inputs, std::forward<Args>(args)...);
}

}  // namespace tg::ops
