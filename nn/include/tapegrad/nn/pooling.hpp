#pragma once
#include <optional>

#include "tapegrad/nn/module.hpp"
#include "tapegrad/ops/pooling.hpp"
#include "tapegrad/ops/size2d.hpp"
#include "tapegrad/random.hpp"

namespace tg::nn {

// Max over kernel windows of [N, C, H, W]; stride defaults to the kernel; dilation
// and ceil_mode as in tg::max_pool2d.
class MaxPool2d : public Module {
 public:
  explicit MaxPool2d(Size2d kernel, std::optional<Size2d> stride = std::nullopt, Size2d padding = 0,
                     Size2d dilation = 1, bool ceil_mode = false);
  Tensor forward(const Tensor& x) override;
  // The values and the positions of the maxima (PyTorch's return_indices), for MaxUnpool2d.
  PoolWithIndices forward_with_indices(const Tensor& x) const;
  std::string type_name() const override { return "MaxPool2d"; }
  std::string extra_repr() const override;

 private:
  Size2d kernel_, stride_, padding_, dilation_;
  bool ceil_mode_;
};

// The inverse of MaxPool2d with the same kernel, stride and padding (tg::max_unpool2d):
// unpool(x, indices) with the indices MaxPool2d::forward_with_indices returned, to
// the default output size or a given one. No parameters; it takes two tensors, so it
// is called directly rather than through forward.
class MaxUnpool2d : public Module {
 public:
  explicit MaxUnpool2d(Size2d kernel, std::optional<Size2d> stride = std::nullopt, Size2d padding = 0);
  Tensor unpool(const Tensor& x, const Tensor& indices) const;
  Tensor unpool(const Tensor& x, const Tensor& indices, Size2d output_size) const;
  // Refuses: the indices are a second input.
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "MaxUnpool2d"; }
  std::string extra_repr() const override;

 private:
  Size2d kernel_, stride_, padding_;
};

// Adaptive pooling to a fixed output size (tg::adaptive_avg_pool2d / adaptive_max_pool2d).
class AdaptiveAvgPool2d : public Module {
 public:
  explicit AdaptiveAvgPool2d(Size2d output_size);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "AdaptiveAvgPool2d"; }
  std::string extra_repr() const override;

 private:
  Size2d output_size_;
};

class AdaptiveMaxPool2d : public Module {
 public:
  explicit AdaptiveMaxPool2d(Size2d output_size);
  Tensor forward(const Tensor& x) override;
  PoolWithIndices forward_with_indices(const Tensor& x) const;
  std::string type_name() const override { return "AdaptiveMaxPool2d"; }
  std::string extra_repr() const override;

 private:
  Size2d output_size_;
};

// Mean over kernel windows; stride defaults to the kernel. count_include_pad: padded
// zeros count in the divisor.
class AvgPool2d : public Module {
 public:
  explicit AvgPool2d(Size2d kernel, std::optional<Size2d> stride = std::nullopt, Size2d padding = 0,
                     bool count_include_pad = true);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "AvgPool2d"; }
  std::string extra_repr() const override;

 private:
  Size2d kernel_, stride_, padding_;
  bool count_include_pad_;
};

// The two ways to give FractionalMaxPool2d its output size (a plain number would be
// ambiguous between them).
struct OutputSize {
  Size2d size;
};
struct OutputRatio {
  double ratio;  // output = floor(ratio * input) per dim, ratio in (0, 1]
};

// Fractional max pooling (Graham 2014): pseudorandom regions of non-integer-ratio
// sizes. Training draws fresh regions from the generator (the thread's default one
// when null, looked up at each call) every forward. Eval uses one fixed set of regions
// (drawn from a generator seeded with eval_seed each call), so evaluation is
// deterministic.
class FractionalMaxPool2d : public Module {
 public:
  explicit FractionalMaxPool2d(OutputSize output, Generator* gen = nullptr);
  explicit FractionalMaxPool2d(OutputRatio output, Generator* gen = nullptr);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "FractionalMaxPool2d"; }
  std::string extra_repr() const override;

  static constexpr std::uint64_t eval_seed = 0x5eed;

 private:
  Tensor pool(const Tensor& x, Generator* gen) const;
  std::optional<Size2d> output_size_;
  double ratio_ = 0.0;
  Generator* gen_;  // not owned, must outlive the module; null: the thread's default
};

}  // namespace tg::nn
