#pragma once
// Gradient routing by index, the kernels of max pooling's and fractional max
// pooling's index ops. An index tensor (i64 [N, C, OH, OW], contiguous) holds, for each
// output element, the flat position h * W + w in its input plane of the element that
// output read. Planes run in parallel (a plane's scatter stays on one thread).
#include "tapegrad/tensor.hpp"

namespace tg::kernels {

// out [N, C, H, W] (contiguous, zero-filled by the caller): out[n, c, idx] += g[n, c, o].
void scatter_add_by_index(const Tensor& g, const Tensor& indices, const Tensor& out);
// out [N, C, OH, OW] (contiguous): out[n, c, o] = x[n, c, idx[n, c, o]].
void gather_by_index(const Tensor& x, const Tensor& indices, const Tensor& out);

}  // namespace tg::kernels
