#pragma once
// Gradient routing by index, shared by max pooling and fractional max pooling. An
// index tensor (i64 [N, C, OH, OW]) holds, for each output element, the flat position
// h * W + w in its input plane of the element that output read (its window's max).
// The two ops are adjoint, so each one's node applies the other: the gradient graph
// of a max pooling is differentiable to any order.
#include "kernels/pool_geometry.hpp"
#include "tapegrad/random.hpp"
#include "tapegrad/tensor.hpp"

namespace tg::ops {

// Node names of one pooling's pair of index ops (for error and anomaly messages).
struct IndexOpNames {
  const char* scatter;  // e.g. "max_pool2d_backward"
  const char* gather;   // e.g. "max_pool2d_select"
};

// out ([N, C, H, W] = input_shape, zeros elsewhere): out[n, c, idx] += g[n, c, o].
// computed: that scatter already computed elsewhere (oneDNN's max-pooling backward),
// returned and recorded as if computed here; indices may then be undefined when g
// needs no gradient.
Tensor index_scatter(const Tensor& g, const Tensor& indices, const Shape& input_shape, IndexOpNames names,
                     Tensor computed = {});
// out ([N, C, OH, OW] = indices' shape): out[n, c, o] = x[n, c, idx[n, c, o]].
Tensor index_gather(const Tensor& x, const Tensor& indices, IndexOpNames names);
// t itself when contiguous, else a contiguous copy (never recorded).
Tensor dense(const Tensor& t);

// Sample input with all values distinct and at least 2/numel apart (in [-1, 1), in a
// random order): max pooling away from ties, so gradcheck crosses no kink.
Tensor sample_distinct(Generator& gen, const Shape& shape);

}  // namespace tg::ops
