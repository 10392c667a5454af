#pragma once
// conv_geometry(): the checked geometry of a convolution op's arguments.
#include "kernels/conv_geometry.hpp"
#include "tapegrad/ops/conv.hpp"

namespace tg {

// Checks the options and the input and weight shapes (throwing tg::Error naming op)
// and returns the geometry of the convolution.
ConvGeometry conv_geometry(const char* op, const Shape& input, const Shape& weight, const Conv2dOptions& options);

}  // namespace tg
