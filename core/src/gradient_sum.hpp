#pragma once
// The sum the engine forms when two gradients reach one tensor (a node's output used
// twice, a leaf reached by two paths). Core's own kernel, so the engine needs no ops.
#include "tapegrad/tensor.hpp"

namespace tg::detail {

// a + b for two gradients of one shape and floating dtype; `what` names the receiver in
// the error for a mismatch. With grad mode on and an input that requires grad (backward
// with create_graph) the sum is recorded, so the gradient graph stays differentiable.
Tensor add_gradients(const Tensor& a, const Tensor& b, const char* what);

}  // namespace tg::detail
