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

}  // namespace tg
