#include "tapegrad/nn/data/normalization.hpp"

#include <cmath>

#include "tapegrad/error.hpp"
#include "tapegrad/parallel_for.hpp"

namespace tg::nn::data {

namespace {
// The values of one channel in one sample: H*W for images [N, C, H, W], 1 for features [N, F].
std::int64_t values_per_channel(const Tensor& x) {
  std::int64_t count = 1;
  for (std::int64_t d = 2; d < x.dim(); ++d) count *= x.size(d);
  return count;
}
}  // namespace

Normalization compute_normalization(const Dataset& train) {
  check_dataset(train, "compute_normalization");
  const std::int64_t n = train.images.size(0), channels = train.images.size(1);
  const std::int64_t plane = values_per_channel(train.images);
  TG_CHECK(n * plane > 0, "compute_normalization: the dataset has no pixels (images {})", train.images.shape().str());
  const float* x = train.images.data<float>();
  Normalization out;
  for (std::int64_t c = 0; c < channels; ++c) {
    // Two passes (mean, then squared deviations): stable where E[x^2] - E[x]^2 is not.
    const double sum = parallel_sum<double>(n, grain_for_work(plane), [&](std::int64_t begin, std::int64_t end) {
      double s = 0.0;
      for (std::int64_t i = begin; i < end; ++i) {
        const float* p = x + (i * channels + c) * plane;
        for (std::int64_t k = 0; k < plane; ++k) s += p[k];
      }
      return s;
    });
    const double count = static_cast<double>(n * plane);
    const double mean = sum / count;
    const double squares = parallel_sum<double>(n, grain_for_work(plane), [&](std::int64_t begin, std::int64_t end) {
      double s = 0.0;
      for (std::int64_t i = begin; i < end; ++i) {
        const float* p = x + (i * channels + c) * plane;
        for (std::int64_t k = 0; k < plane; ++k) s += (p[k] - mean) * (p[k] - mean);
      }
      return s;
    });
    const double deviation = std::sqrt(squares / count);
    TG_CHECK(deviation > 0.0, "compute_normalization: channel {} has zero variance (every value is {}); it cannot be "
             "scaled to unit variance", c, mean);
    out.mean.push_back(mean);
    out.std.push_back(deviation);
  }
  return out;
}

void Normalization::apply_inplace(const Tensor& images) const {
  TG_CHECK(images.dtype() == f32 && images.dim() >= 2 && images.is_contiguous(),
           "Normalization::apply: images are {} {}, expected a contiguous f32 tensor [N, C, H, W] or [N, F]",
           dtype_name(images.dtype()), images.shape().str());
  const std::int64_t n = images.size(0), channels = images.size(1), plane = values_per_channel(images);
  TG_CHECK(static_cast<std::int64_t>(mean.size()) == channels && std.size() == mean.size(),
           "Normalization::apply: images have {} channels ({}), the normalization has {} means and {} stds", channels,
           images.shape().str(), mean.size(), std.size());
  for (std::size_t c = 0; c < std.size(); ++c) {
    TG_CHECK(std[c] > 0.0, "Normalization::apply: std[{}] is {}, expected > 0", c, std[c]);
  }
  float* x = images.data<float>();
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::int64_t c = 0; c < channels; ++c) {
      const float m = static_cast<float>(mean[c]), s = static_cast<float>(std[c]);
      float* p = x + (i * channels + c) * plane;
      for (std::int64_t k = 0; k < plane; ++k) p[k] = (p[k] - m) / s;
    }
  }
  images.bump_version();
}

Tensor Normalization::apply(const Tensor& images) const {
  TG_CHECK(images.dtype() == f32 && images.dim() >= 2,
           "Normalization::apply: images are {} {}, expected an f32 tensor [N, C, H, W] or [N, F]", dtype_name(images.dtype()),
           images.shape().str());
  Tensor out = empty(images.shape(), f32);
  out.copy_(images);
  apply_inplace(out);
  return out;
}

}  // namespace tg::nn::data
