#pragma once
// Separable window kernels over [N, C, H, W] planes, both dtypes on plain loops (the
// ops that use them, upsampling and adaptive pooling, have no oneDNN primitive of the
// same meaning except nearest / bilinear resampling, whose rounding rules differ from
// PyTorch's at the borders). Each output element (oh, ow) reads the input elements
// (rows.index[a], cols.index[b]) of its row taps a and column taps b, weighted by
// rows.weight[a] * cols.weight[b]: bilinear interpolation (2 taps per dim), nearest
// (1 tap, weight 1), adaptive average pooling (a window, weight 1 / its length).
#include <cstdint>
#include <vector>

#include "tapegrad/tensor.hpp"

namespace tg::kernels {

// The taps of one dim: output i reads index[k], weight[k] for k in [start[i], start[i + 1]).
struct Taps1d {
  std::int64_t in = 0;  // the input size along the dim
  std::vector<std::int64_t> start{0}, index;
  std::vector<double> weight;
  std::int64_t out() const { return static_cast<std::int64_t>(start.size()) - 1; }
  void add(std::int64_t i, double w) {
    index.push_back(i);
    weight.push_back(w);
  }
  void close_output() { start.push_back(static_cast<std::int64_t>(index.size())); }
};

struct Taps2d {
  Taps1d rows, cols;
};

// y (contiguous [N, C, rows.out(), cols.out()]) = the weighted sums of x's taps.
void resample_forward(const Taps2d& taps, const Tensor& x, const Tensor& y);
// The adjoint: dx (contiguous [N, C, rows.in, cols.in], overwritten) = each dy spread
// over its taps with their weights.
void resample_adjoint(const Taps2d& taps, const Tensor& dy, const Tensor& dx);
// indices (contiguous i64 [N, C, rows.out(), cols.out()]) = the flat position h * W + w
// in its plane of the first maximum over each output's taps (weights unused; NaN wins
// and stays, as in PyTorch). Every output has at least one tap in each dim.
void window_argmax(const Taps2d& taps, const Tensor& x, const Tensor& indices);

}  // namespace tg::kernels
