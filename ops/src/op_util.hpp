#pragma once
// Small helpers every op file uses: argument checks with clear messages and the anomaly
// check on forward results. Ops are written with op_pattern.hpp, which records them.
#include "tapegrad/autograd.hpp"
#include "tapegrad/ops/operators.hpp"
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

}  // namespace tg::ops
