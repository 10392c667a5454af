#pragma once
// Upsampling (and resizing) of [N, C, H, W] tensors, PyTorch's F.interpolate for the
// nearest and bilinear modes. Plain loops in both dtypes; differentiable to any order.
// The source coordinates are in docs/formulas.md ("Upsampling").
#include "tapegrad/ops/size2d.hpp"
#include "tapegrad/tensor.hpp"

namespace tg {

enum class InterpolateMode {
  nearest,   // output (i, j) copies input (floor(i in / out), floor(j in / out)) (PyTorch's "nearest")
  bilinear,  // output is the bilinear interpolation of the 4 nearest inputs
};

// A scale factor per spatial dim (one number: the same for both).
struct Scale2d {
  double h = 0, w = 0;
  constexpr Scale2d() = default;
  constexpr Scale2d(double both) : h(both), w(both) {}  // NOLINT: implicit on purpose
  constexpr Scale2d(double height, double width) : h(height), w(width) {}
};

struct InterpolateOptions {
  Size2d size = 0;    // the output size (H', W'), or
  Scale2d scale = {};  // scale factors: H' = floor(H scale.h), W' = floor(W scale.w) (exactly one of the two)
  InterpolateMode mode = InterpolateMode::nearest;
  // bilinear only: the corner pixels of input and output are aligned (their centers
  // coincide) and the scale is (in - 1) / (out - 1); otherwise pixel centers map by
  // the scale (in / out, or 1 / scale when given) with half-pixel offsets.
  bool align_corners = false;
};

// x [N, C, H, W] -> [N, C, H', W'].
Tensor interpolate(const Tensor& x, const InterpolateOptions& options);

}  // namespace tg
