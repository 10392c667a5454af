#pragma once
// Kernels read plain row-major data: dense(t) is t itself when contiguous (or
// undefined), else a contiguous copy that records nothing on the tape.
#include "tapegrad/tensor.hpp"

namespace tg::kernels {

inline Tensor dense(const Tensor& t) {
  if (!t.defined() || t.is_contiguous()) return t;
  return t.detach().contiguous();
}

}  // namespace tg::kernels
