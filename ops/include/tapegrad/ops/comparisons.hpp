#pragma once
// Comparisons, named as PyTorch's (torch.eq, ne, lt, le, gt, ge): 1 where the relation
// holds, 0 elsewhere, in the input's dtype (any dtype). Tensor pairs broadcast and must
// share a dtype; a floating tensor compares with a value rounded to its dtype (0.1 matches
// an f32 0.1), an i64 tensor compares exactly (x < 2.5). Never recorded: their gradient is
// zero almost everywhere.
#include "tapegrad/tensor.hpp"

namespace tg {

Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
Tensor eq(const Tensor& x, double value);
Tensor ne(const Tensor& x, double value);
Tensor lt(const Tensor& x, double value);
Tensor le(const Tensor& x, double value);
Tensor gt(const Tensor& x, double value);
Tensor ge(const Tensor& x, double value);

// The operators a < b, a <= b, a > b, a >= b, a == b, a != b are these masks (a tensor,
// not a bool), with a tensor or a value on either side: 2.0 < x is gt(x, 2.0). To ask
// whether two handles are one tensor, compare a.id() == b.id() (or a.same(b)).
inline Tensor operator==(const Tensor& a, const Tensor& b) { return eq(a, b); }
inline Tensor operator!=(const Tensor& a, const Tensor& b) { return ne(a, b); }
inline Tensor operator<(const Tensor& a, const Tensor& b) { return lt(a, b); }
inline Tensor operator<=(const Tensor& a, const Tensor& b) { return le(a, b); }
inline Tensor operator>(const Tensor& a, const Tensor& b) { return gt(a, b); }
inline Tensor operator>=(const Tensor& a, const Tensor& b) { return ge(a, b); }
inline Tensor operator==(const Tensor& x, double v) { return eq(x, v); }
inline Tensor operator!=(const Tensor& x, double v) { return ne(x, v); }
inline Tensor operator<(const Tensor& x, double v) { return lt(x, v); }
inline Tensor operator<=(const Tensor& x, double v) { return le(x, v); }
inline Tensor operator>(const Tensor& x, double v) { return gt(x, v); }
inline Tensor operator>=(const Tensor& x, double v) { return ge(x, v); }
inline Tensor operator==(double v, const Tensor& x) { return eq(x, v); }
inline Tensor operator!=(double v, const Tensor& x) { return ne(x, v); }
inline Tensor operator<(double v, const Tensor& x) { return gt(x, v); }
inline Tensor operator<=(double v, const Tensor& x) { return ge(x, v); }
inline Tensor operator>(double v, const Tensor& x) { return lt(x, v); }
inline Tensor operator>=(double v, const Tensor& x) { return le(x, v); }

}  // namespace tg
