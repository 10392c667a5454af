#pragma once
// Zero-centering and unit-variance scaling of inputs, per channel (dim 1: a colour
// channel of images [N, C, H, W], a feature of rows [N, F]), with statistics taken from the training set only.
#include <vector>

#include "tapegrad/nn/data/dataset.hpp"
#include "tapegrad/tensor.hpp"

namespace tg::nn::data {

struct Normalization {
  std::vector<double> mean;  // one per channel
  std::vector<double> std;   // population standard deviation, one per channel, > 0

  // (x - mean[c]) / std[c] for x an f32 [N, C, H, W] (or [N, F]) tensor; returns a new tensor.
  Tensor apply(const Tensor& images) const;
  // The same, overwriting a contiguous f32 [N, C, H, W] tensor (bumps its version).
  void apply_inplace(const Tensor& images) const;
};

// Per-channel mean and standard deviation over every image and pixel of the dataset,
// accumulated in double. A channel with zero variance is an error (it cannot be scaled).
Normalization compute_normalization(const Dataset& train);

}  // namespace tg::nn::data
