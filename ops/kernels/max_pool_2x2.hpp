#pragma once
// Max pooling with 2x2 windows, stride 2, no padding (floor mode): the pooling of
// nearly every CNN, on loops written for it. oneDNN's pooling on plain NCHW runs at a
// fraction of the memory bandwidth (its fast kernels want channel-blocked layouts) and
// drops NaN, which cost a separate scan of the input; these loops keep NaN (a NaN wins
// its window, as in PyTorch) in the same pass.
//
// The forward records, per output element, the position of the window's first maximum
// as one byte: 0 (top left), 1 (top right), 2 (bottom left), 3 (bottom right). The
// backward writes every input gradient once: dy at that position, 0 elsewhere (and 0 in
// the last row or column an odd size leaves out of every window).
#include <cstdint>

#include "kernels/pool_geometry.hpp"
#include "tapegrad/tensor.hpp"

namespace tg::kernels {

// Whether g is this pooling.
bool is_max_pool_2x2(const PoolGeometry& g);

// y (contiguous [N, C, OH, OW]) = the maxima of x (contiguous [N, C, H, W]); positions,
// when not null, receives one byte per output element (N * C * OH * OW bytes).
void max_pool_2x2_forward(const PoolGeometry& g, const Tensor& x, const Tensor& y, std::uint8_t* positions);
// dx (contiguous [N, C, H, W]) = dy routed to the recorded positions.
void max_pool_2x2_backward(const PoolGeometry& g, const Tensor& dy, const std::uint8_t* positions, const Tensor& dx);

}  // namespace tg::kernels
