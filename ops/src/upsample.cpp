// Upsampling (interpolate): nearest and bilinear, as separable resamplings
// (resample.hpp) whose taps follow PyTorch's source-index rules (docs/formulas.md,
// "Upsampling"): with a size, the scale of a dim is in / out; with a scale factor s,
// it is 1 / s (PyTorch's default recompute_scale_factor = None).
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

#include "op_pattern.hpp"
#include "resample.hpp"
#include "tapegrad/ops/op_table.hpp"
#include "tapegrad/ops/upsample.hpp"

namespace tg {

namespace {

constexpr ops::ResampleNames kNearest{"upsample_nearest2d", "upsample_nearest2d_backward"};
constexpr ops::ResampleNames kBilinear{"upsample_bilinear2d", "upsample_bilinear2d_backward"};

// scale: the user's scale factor for this dim, 0 when the output size was given.
kernels::Taps1d nearest_taps(std::int64_t in, std::int64_t out, double scale) {
  kernels::Taps1d t;
  t.in = in;
  for (std::int64_t i = 0; i < out; ++i) {
    // With a size, floor(i in / out) in integers (exact); with a factor, floor(i / s).
    const std::int64_t src = scale > 0 ? static_cast<std::int64_t>(std::floor(static_cast<double>(i) / scale))
                                       : i * in / out;
    t.add(std::min(src, in - 1), 1.0);
    t.close_output();
  }
  return t;
}

kernels::Taps1d bilinear_taps(std::int64_t in, std::int64_t out, double scale, bool align_corners) {
  kernels::Taps1d t;
  t.in = in;
  double ratio = 0;
  if (align_corners) {
    ratio = out > 1 ? static_cast<double>(in - 1) / static_cast<double>(out - 1) : 0.0;
  } else {
    ratio = scale > 0 ? 1.0 / scale : static_cast<double>(in) / static_cast<double>(out);
  }
  for (std::int64_t i = 0; i < out; ++i) {
    const double di = static_cast<double>(i);
    const double src = align_corners ? ratio * di : std::max(ratio * (di + 0.5) - 0.5, 0.0);
    const auto i0 = std::min(static_cast<std::int64_t>(src), in - 1);
    const std::int64_t i1 = i0 + (i0 < in - 1 ? 1 : 0);
    const double l1 = src - static_cast<double>(i0);
    t.add(i0, 1.0 - l1);
    t.add(i1, l1);
    t.close_output();
  }
  return t;
}

}  // namespace

Tensor interpolate(const Tensor& x, const InterpolateOptions& o) {
  constexpr const char* op = "interpolate";
  ops::check_floating(op, x);
  TG_CHECK(x.dim() == 4, "{}: input has {} dims {}, expected 4 (N, C, H, W)", op, x.dim(), x.shape().str());
  TG_CHECK(o.mode == InterpolateMode::nearest || o.mode == InterpolateMode::bilinear,
           "{}: mode {} is not nearest or bilinear", op, static_cast<int>(o.mode));
  TG_CHECK(!(o.align_corners && o.mode == InterpolateMode::nearest),
           "{}: align_corners applies to mode bilinear, not nearest", op);
  const bool by_size = !(o.size == Size2d(0)), by_scale = o.scale.h != 0 || o.scale.w != 0;
  TG_CHECK(by_size != by_scale, "{}: give exactly one of size and scale, got size ({}, {}) and scale ({}, {})", op,
           o.size.h, o.size.w, o.scale.h, o.scale.w);
  const std::int64_t H = x.size(2), W = x.size(3);
  TG_CHECK(H > 0 && W > 0, "{}: input {} has an empty spatial dim", op, x.shape().str());
  std::int64_t OH = o.size.h, OW = o.size.w;
  double sh = 0, sw = 0;
  if (by_scale) {
    TG_CHECK(std::isfinite(o.scale.h) && std::isfinite(o.scale.w) && o.scale.h > 0 && o.scale.w > 0,
             "{}: scale ({}, {}) must be positive and finite", op, o.scale.h, o.scale.w);
    sh = o.scale.h, sw = o.scale.w;
    OH = static_cast<std::int64_t>(std::floor(static_cast<double>(H) * sh));
    OW = static_cast<std::int64_t>(std::floor(static_cast<double>(W) * sw));
  }
  TG_CHECK(OH >= 1 && OW >= 1, "{}: output size ({}, {}) must be at least (1, 1) (input {}, scale ({}, {}))", op, OH,
           OW, x.shape().str(), sh, sw);
  auto taps = std::make_shared<kernels::Taps2d>();
  if (o.mode == InterpolateMode::nearest) {
    taps->rows = nearest_taps(H, OH, sh);
    taps->cols = nearest_taps(W, OW, sw);
    return ops::resample(x, std::move(taps), kNearest);
  }
  taps->rows = bilinear_taps(H, OH, sh, o.align_corners);
  taps->cols = bilinear_taps(W, OW, sw, o.align_corners);
  return ops::resample(x, std::move(taps), kBilinear);
}

// --- op table entries: one per mode and rule, up- and downsampling samples.
namespace {

using Samples = std::vector<OpSample>;

OpTableEntry entry(std::string name, std::function<Tensor(const Tensor&)> fn) {
  OpTableEntry e;
  e.name = std::move(name);
  e.fn = [fn](const std::vector<Tensor>& x) { return fn(x[0]); };
  e.samples = [](Generator& g) -> Samples {
    return {{"[2, 3, 3, 4]", {sample_normal(g, {2, 3, 3, 4})}},
            {"[1, 2, 5, 2]", {sample_normal(g, {1, 2, 5, 2})}},
            {"transposed view [1, 2, 4, 3]", {sample_normal(g, {1, 2, 3, 4})}, {0}},
            {"1x1 image [2, 1, 1, 1]", {sample_normal(g, {2, 1, 1, 1})}},
            {"empty batch [0, 3, 3, 4]", {sample_normal(g, {0, 3, 3, 4})}}};
  };
  e.large_samples = [](Generator& g) -> Samples {
    return {{"[8, 16, 14, 14]", {sample_normal(g, {8, 16, 14, 14})}},
            {"empty batch [0, 16, 14, 14]", {sample_normal(g, {0, 16, 14, 14})}}};
  };
  return e;
}

const OpRegistration reg_nearest_scale(entry("upsample_nearest2d_scale2", [](const Tensor& x) {
  return interpolate(x, {.scale = 2.0});
}));
const OpRegistration reg_nearest_size(entry("upsample_nearest2d_size5x3", [](const Tensor& x) {
  return interpolate(x, {.size = {5, 3}});
}));
const OpRegistration reg_bilinear_scale(entry("upsample_bilinear2d_scale2x1.5", [](const Tensor& x) {
  return interpolate(x, {.scale = {2.0, 1.5}, .mode = InterpolateMode::bilinear});
}));
const OpRegistration reg_bilinear_size(entry("upsample_bilinear2d_size4x7", [](const Tensor& x) {
  return interpolate(x, {.size = {4, 7}, .mode = InterpolateMode::bilinear});
}));
const OpRegistration reg_bilinear_align(entry("upsample_bilinear2d_align_corners_size5x2", [](const Tensor& x) {
  return interpolate(x, {.size = {5, 2}, .mode = InterpolateMode::bilinear, .align_corners = true});
}));

}  // namespace

}  // namespace tg
