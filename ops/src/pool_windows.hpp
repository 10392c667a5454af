#pragma once
// The windows of the pooling ops that run on the separable window kernels
// (kernels/resample.hpp), checked and built per spatial dim (docs/formulas.md, "Pooling
// windows"): adaptive windows and dilated, possibly ceil-mode, max-pooling windows.
#include <cstdint>

#include "kernels/resample.hpp"
#include "pool_index.hpp"
#include "tapegrad/ops/pooling.hpp"

namespace tg::ops {

// Adaptive pooling: output i covers [floor(i in / out), ceil((i + 1) in / out)), each
// tap weighted 1 / the window's length (the weights serve average pooling).
kernels::Taps1d adaptive_windows(std::int64_t in, std::int64_t out);

// Max pooling along one dim: the number of outputs, floor((in + 2 padding - dilation
// (kernel - 1) - 1 + (ceil_mode ? stride - 1 : 0)) / stride) + 1, less one when ceil
// mode would start the last window at or past in + padding (PyTorch's rule).
std::int64_t max_pool_output_size(std::int64_t in, std::int64_t kernel, std::int64_t stride, std::int64_t padding,
                                  std::int64_t dilation, bool ceil_mode);

// The taps of each output: start = o stride - padding, then every dilation-th position
// for kernel taps, keeping those inside [0, in). op names the caller in the error
// thrown when a window holds no input element.
kernels::Taps1d max_pool_windows(const char* op, std::int64_t in, std::int64_t out, std::int64_t kernel,
                                 std::int64_t stride, std::int64_t padding, std::int64_t dilation);

// Checks that x is a floating [N, C, H, W] tensor (tg::Error naming op otherwise).
void check_pool_input(const char* op, const Tensor& x);
// Checks a pooling window: kernel and stride at least 1, padding in [0, kernel / 2].
void check_pool_window(const char* op, Size2d kernel, Size2d stride, Size2d padding);

// The maximum over each output's taps and its flat position in the plane: the
// positions from the window kernel, the values gathered by the index op of names (its
// gradient scatters to the maxima, and so on to any order). The returned indices are
// a copy the caller may change.
PoolWithIndices max_over_windows(const Tensor& x, const kernels::Taps2d& taps, IndexOpNames names);

}  // namespace tg::ops
