#pragma once
// The unary elementwise kernel: oneDNN's eltwise for f32 from a size on, the plain
// loop of elementwise_loops.hpp otherwise (f64 always).
#include <cstdint>

#include "kernels/elementwise_loops.hpp"
#include "kernels/eltwise.hpp"

namespace tg::kernels {

// How an op runs on oneDNN: the function with its (alpha, beta), the f32 size from which
// oneDNN runs, and whether a NaN input must give NaN (some oneDNN kernels map NaN to a
// number: relu as max(x, 0), the input clamp of exp).
struct EltwiseCall {
  Eltwise f;
  float alpha = 0, beta = 0;
  std::int64_t min_elements = 0;
  bool keep_nans = true;
};

// out (contiguous, x's shape) = f(x) elementwise; f is callable on float and double
// and computes the same function as call.f.
template <class F>
void unary(const Tensor& x, const Tensor& out, const EltwiseCall& call, F f) {
  if (x.dtype() == f32 && x.numel() >= call.min_elements) {
    eltwise_f32(call.f, call.alpha, call.beta, x, out);
    if (call.keep_nans) keep_nans<float>(x, out);
    return;
  }
  dispatch_floating(x.dtype(), [&](auto t) { unary_loop<decltype(t)>(x, out, f); });
}

}  // namespace tg::kernels
