#pragma once
// Shape ops beyond views.hpp. permute, view and broadcast_to return views sharing the
// input's storage; concat, stack and pad copy.
#include <cstdint>
#include <vector>

#include "tapegrad/tensor.hpp"

namespace tg {

// Reorders the dims: dim i of the result is dim dims[i] of x (negative dims count
// from the end). A view.
Tensor permute(const Tensor& x, const std::vector<std::int64_t>& dims);
// reshape() that never copies: an error when x is not contiguous. One dim may be -1.
Tensor view(const Tensor& x, const std::vector<std::int64_t>& shape);
// expand() under NumPy's name: a view with stride 0 along broadcast dims.
Tensor broadcast_to(const Tensor& x, const Shape& shape);

// Joins tensors of one dtype along an existing axis (all other dims equal).
Tensor concat(const std::vector<Tensor>& tensors, std::int64_t axis = 0);
// Joins tensors of one shape and dtype along a new axis.
Tensor stack(const std::vector<Tensor>& tensors, std::int64_t axis = 0);

// Constant padding in PyTorch's F.pad order: pads = {left, right} of the last dim,
// then of the dim before it, and so on (at most 2 entries per dim). Negative padding
// crops.
Tensor pad(const Tensor& x, const std::vector<std::int64_t>& pads, double value = 0.0);

// What padding holds (PyTorch's F.pad modes; docs/formulas.md, "Padding modes"), for
// a dim of size n and a position i outside [0, n):
enum class PadMode {
  constant,   // the value (zeros unless given)
  reflect,    // the mirror image without repeating the edge: i = -1 reads 1 (pads < n)
  replicate,  // the edge element: i < 0 reads 0, i >= n reads n - 1 (n > 0)
  circular,   // wrapped around: i reads i mod n (pads <= n)
};
// pad in a mode; value is used by constant only. Non-constant modes take pads >= 0.
Tensor pad(const Tensor& x, const std::vector<std::int64_t>& pads, PadMode mode, double value = 0.0);

}  // namespace tg
