// Binary elementwise kernels: the choice between oneDNN and the loops.
#include <cmath>
#include <type_traits>

#include "kernels/elementwise_loops.hpp"
#include "kernels/eltwise.hpp"
#include "kernels/nan.hpp"

namespace tg::kernels {

namespace {

// Element kernels of max and min; NaN propagates as in PyTorch.
template <class T> T max_of(T a, T b) { return (a > b || a != a) ? a : b; }
template <class T> T min_of(T a, T b) { return (a < b || a != a) ? a : b; }

bool commutes(Binary op) { return op == Binary::add || op == Binary::mul || op == Binary::max || op == Binary::min; }

// oneDNN's binary primitive broadcasts only its second source; a broadcast first
// source is fine for ops that commute (swap) and otherwise goes to the loop. oneDNN's
// max and min keep a NaN only in one operand position; the loop keeps it in both.
bool run_on_dnnl(Binary op, const Tensor& a, const Tensor& b, const Tensor& out) {
  if (a.dtype() != f32 || op == Binary::pow || out.numel() < kBinaryMinElements) return false;
  if ((op == Binary::max || op == Binary::min) && (f32_has_nan(a) || f32_has_nan(b))) return false;
  if (a.shape() == out.shape()) {
    binary_f32(op, a, b, out);
    return true;
  }
  if (b.shape() == out.shape() && commutes(op)) {
    binary_f32(op, b, a, out);
    return true;
  }
  return false;
}

template <class T>
void binary_on_loop(Binary op, const Tensor& a, const Tensor& b, const Tensor& out) {
  switch (op) {
    case Binary::add: return binary_loop<T>(a, b, out, [](T x, T y) { return x + y; });
    case Binary::sub: return binary_loop<T>(a, b, out, [](T x, T y) { return x - y; });
    case Binary::mul: return binary_loop<T>(a, b, out, [](T x, T y) { return x * y; });
    case Binary::max: return binary_loop<T>(a, b, out, max_of<T>);
    case Binary::min: return binary_loop<T>(a, b, out, min_of<T>);
    case Binary::div:
    case Binary::pow:
      // Integer division by zero traps and an integer pow is not this one: the ops
      // reject i64 before reaching here.
      if constexpr (std::is_floating_point_v<T>) {
        if (op == Binary::div) return binary_loop<T>(a, b, out, [](T x, T y) { return x / y; });
        return binary_loop<T>(a, b, out, [](T x, T y) { return std::pow(x, y); });
      } else {
        fail("binary kernel: div and pow are not defined on i64 tensors");
      }
  }
}

}  // namespace

void binary(Binary op, const Tensor& a, const Tensor& b, const Tensor& out) {
  if (run_on_dnnl(op, a, b, out)) return;
  dispatch_dtype(a.dtype(), [&](auto t) { binary_on_loop<decltype(t)>(op, a, b, out); });
}

}  // namespace tg::kernels
