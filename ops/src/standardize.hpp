#pragma once
// The shared piece of layer_norm and group_norm: (x - mean) / sqrt(var + eps) over some
// axes (biased variance), composed of tapegrad ops so that its gradient (and the
// gradient's gradient) comes from theirs. docs/formulas.md, Normalization.
#include <cstdint>
#include <vector>

#include "tapegrad/ops/elementwise.hpp"
#include "tapegrad/ops/reduce.hpp"

namespace tg::ops {

inline Tensor standardize(const Tensor& x, const std::vector<std::int64_t>& axes, double eps) {
  const Tensor centered = x - mean(x, axes, true);
  return centered / sqrt(mean(square(centered), axes, true) + eps);
}

// Checks an optional affine tensor (weight or bias): undefined, or x's dtype and `shape`.
inline void check_affine(const char* op, const char* what, const Tensor& t, const Tensor& x, const Shape& shape,
                         const char* expected_because) {
  if (!t.defined()) return;
  TG_CHECK(t.dtype() == x.dtype(), "{}: {} is {} {}, the input is {} {} (convert one with .to(dtype))", op, what,
           dtype_name(t.dtype()), t.shape().str(), dtype_name(x.dtype()), x.shape().str());
  TG_CHECK(t.shape() == shape, "{}: {} has shape {}, expected {} ({})", op, what, t.shape().str(), shape.str(),
           expected_because);
}

}  // namespace tg::ops
