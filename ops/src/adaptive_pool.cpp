// Adaptive average and max pooling (PyTorch's windows: output i covers
// [floor(i in / out), ceil((i + 1) in / out)), docs/formulas.md). Average pooling is a
// separable resampling (resample.hpp) with weights 1 / the window's length; max
// pooling gathers each window's maximum (pool_windows.hpp). Plain loops in both
// dtypes: oneDNN's pooling has no adaptive windows.
#include <memory>
#include <string>

#include "op_pattern.hpp"
#include "pool_windows.hpp"
#include "resample.hpp"
#include "tapegrad/ops/op_table.hpp"
#include "tapegrad/ops/pooling.hpp"

namespace tg {

namespace {

constexpr ops::ResampleNames kAvgNames{"adaptive_avg_pool2d", "adaptive_avg_pool2d_backward"};
constexpr ops::IndexOpNames kMaxNames{"adaptive_max_pool2d_backward", "adaptive_max_pool2d"};

kernels::Taps2d adaptive_taps(const char* op, const Tensor& x, Size2d out) {
  ops::check_pool_input(op, x);
  TG_CHECK(out.h >= 1 && out.w >= 1, "{}: output size ({}, {}) must be at least (1, 1)", op, out.h, out.w);
  TG_CHECK(x.size(2) > 0 && x.size(3) > 0, "{}: input {} has an empty spatial dim (no window has an element)", op,
           x.shape().str());
  return {ops::adaptive_windows(x.size(2), out.h), ops::adaptive_windows(x.size(3), out.w)};
}

}  // namespace

Tensor adaptive_avg_pool2d(const Tensor& x, Size2d output_size) {
  auto taps = std::make_shared<const kernels::Taps2d>(adaptive_taps("adaptive_avg_pool2d", x, output_size));
  return ops::resample(x, std::move(taps), kAvgNames);
}

PoolWithIndices adaptive_max_pool2d_with_indices(const Tensor& x, Size2d output_size) {
  return ops::max_over_windows(x, adaptive_taps("adaptive_max_pool2d", x, output_size), kMaxNames);
}

Tensor adaptive_max_pool2d(const Tensor& x, Size2d output_size) {
  return adaptive_max_pool2d_with_indices(x, output_size).values;
}

// --- op table entries; the output size travels as an i64 input.
namespace {

using Samples = std::vector<OpSample>;

Tensor size(std::int64_t h, std::int64_t w) { return from_vector(std::vector<std::int64_t>{h, w}, Shape{2}); }
Size2d read_size(const Tensor& t) {
  const auto v = t.to_vector<std::int64_t>();
  return {v[0], v[1]};
}

// sample: sample_normal for average pooling, sample_distinct (no ties) for max pooling.
Samples adaptive_samples(Generator& g, Tensor (*sample)(Generator&, const Shape&)) {
  return {{"[2, 3, 5, 7] -> [3, 4] (overlapping windows)", {sample(g, {2, 3, 5, 7}), size(3, 4)}},
          {"[1, 2, 6, 4] -> [3, 2] (disjoint)", {sample(g, {1, 2, 6, 4}), size(3, 2)}},
          {"[1, 2, 3, 3] -> [5, 4] (more outputs than inputs)", {sample(g, {1, 2, 3, 3}), size(5, 4)}},
          {"[2, 2, 4, 5] -> [1, 1] (global)", {sample(g, {2, 2, 4, 5}), size(1, 1)}},
          {"transposed view [1, 2, 5, 6] -> [2, 3]", {sample(g, {1, 2, 6, 5}), size(2, 3)}, {0}},
          {"empty batch [0, 2, 5, 7] -> [3, 4]", {sample(g, {0, 2, 5, 7}), size(3, 4)}},
          {"empty image [1, 2, 0, 4] -> [2, 2]", {sample(g, {1, 2, 0, 4}), size(2, 2)}, {}, "has an empty spatial dim"}};
}

Samples large_samples(Generator& g) {
  return {{"[16, 32, 14, 14] -> [5, 5]", {sample_normal(g, {16, 32, 14, 14}), size(5, 5)}},
          {"empty batch [0, 32, 14, 14] -> [5, 5]", {sample_normal(g, {0, 32, 14, 14}), size(5, 5)}}};
}

const OpRegistration reg_adaptive_avg([] {
  OpTableEntry e;
  e.name = "adaptive_avg_pool2d";
  e.fn = [](const std::vector<Tensor>& x) { return adaptive_avg_pool2d(x[0], read_size(x[1])); };
  e.samples = [](Generator& g) { return adaptive_samples(g, sample_normal); };
  e.large_samples = large_samples;
  return e;
}());

const OpRegistration reg_adaptive_max([] {
  OpTableEntry e;
  e.name = "adaptive_max_pool2d";
  e.fn = [](const std::vector<Tensor>& x) { return adaptive_max_pool2d(x[0], read_size(x[1])); };
  e.samples = [](Generator& g) { return adaptive_samples(g, ops::sample_distinct); };
  e.large_samples = large_samples;
  e.has_kinks = true;
  return e;
}());

}  // namespace

}  // namespace tg
