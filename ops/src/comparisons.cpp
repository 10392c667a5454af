// Comparisons: 0/1 masks in the input's dtype, never recorded (their gradient is zero
// almost everywhere). Any dtype; tensor pairs broadcast and must share a dtype.
#include <functional>
#include <type_traits>

#include "elementwise_kernels.hpp"
#include "op_util.hpp"
#include "tapegrad/ops/comparisons.hpp"

namespace tg {

namespace {

template <class Compare>
Tensor compare(const char* name, const Tensor& a, const Tensor& b) {
  ops::check_same_dtype(name, a, b);
  Tensor out = empty(broadcast_shapes(a.shape(), b.shape(), name), a.dtype());
  dispatch_dtype(a.dtype(), [&](auto t) {
    using T = decltype(t);
    ops::binary_loop<T>(a, b, out, [](T x, T y) { return Compare{}(x, y) ? T(1) : T(0); });
  });
  return out;
}

// A floating tensor compares with the value rounded to its dtype (0.1 matches an f32
// 0.1, as in PyTorch); an i64 tensor compares exactly, in double (x < 2.5).
template <class Compare>
Tensor compare(const Tensor& x, double value) {
  Tensor out = empty(x.shape(), x.dtype());
  dispatch_dtype(x.dtype(), [&](auto t) {
    using T = decltype(t);
    using C = std::conditional_t<std::is_floating_point_v<T>, T, double>;
    const C v = static_cast<C>(value);
    ops::unary_loop<T>(x, out, [v](T e) { return Compare{}(static_cast<C>(e), v) ? T(1) : T(0); });
  });
  return out;
}

}  // namespace

Tensor eq(const Tensor& a, const Tensor& b) { return compare<std::equal_to<>>("eq", a, b); }
Tensor ne(const Tensor& a, const Tensor& b) { return compare<std::not_equal_to<>>("ne", a, b); }
Tensor lt(const Tensor& a, const Tensor& b) { return compare<std::less<>>("lt", a, b); }
Tensor le(const Tensor& a, const Tensor& b) { return compare<std::less_equal<>>("le", a, b); }
Tensor gt(const Tensor& a, const Tensor& b) { return compare<std::greater<>>("gt", a, b); }
Tensor ge(const Tensor& a, const Tensor& b) { return compare<std::greater_equal<>>("ge", a, b); }
Tensor eq(const Tensor& x, double v) { return compare<std::equal_to<>>(x, v); }
Tensor ne(const Tensor& x, double v) { return compare<std::not_equal_to<>>(x, v); }
Tensor lt(const Tensor& x, double v) { return compare<std::less<>>(x, v); }
Tensor le(const Tensor& x, double v) { return compare<std::less_equal<>>(x, v); }
Tensor gt(const Tensor& x, double v) { return compare<std::greater<>>(x, v); }
Tensor ge(const Tensor& x, double v) { return compare<std::greater_equal<>>(x, v); }

}  // namespace tg
