// group_norm (Wu & He 2018): x [N, C, *] with C split into num_groups groups of
// consecutive channels; each (sample, group) standardized over its channels and
// spatial positions, then weight[c] * y + bias[c] per channel. A composition of
// tapegrad ops (standardize.hpp), like layer_norm.
#include "op_util.hpp"
#include "standardize.hpp"
#include "tapegrad/ops/normalization.hpp"
#include "tapegrad/ops/op_table.hpp"
#include "tapegrad/ops/views.hpp"

namespace tg {

Tensor group_norm(const Tensor& x, std::int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps) {
  ops::check_floating("group_norm", x);
  TG_CHECK(x.dim() >= 2, "group_norm: input has {} dims {}, expected 2 or more (N, C, *)", x.dim(), x.shape().str());
  const std::int64_t n = x.size(0), c = x.size(1);
  TG_CHECK(num_groups > 0, "group_norm: num_groups must be positive, got {}", num_groups);
  TG_CHECK(c % num_groups == 0, "group_norm: {} channels (input {}) do not split into {} groups", c, x.shape().str(),
           num_groups);
  TG_CHECK(eps > 0, "group_norm: eps must be positive, got {}", eps);
  ops::check_affine("group_norm", "weight", weight, x, Shape{c}, "one per channel");
  ops::check_affine("group_norm", "bias", bias, x, Shape{c}, "one per channel");
  std::int64_t per_group = c / num_groups;
  for (int d = 2; d < x.dim(); ++d) per_group *= x.size(d);
  TG_CHECK(per_group > 0, "group_norm: each group of input {} has no elements: the mean over them is undefined",
           x.shape().str());
  Tensor y = reshape(ops::standardize(reshape(x, {n, num_groups, per_group}), {2}, eps), x.shape().to_vector());
  if (weight.defined() || bias.defined()) {
    std::vector<std::int64_t> channel_shape(static_cast<std::size_t>(x.dim()), 1);
    channel_shape[1] = c;
    if (weight.defined()) y = y * reshape(weight, channel_shape);
    if (bias.defined()) y = y + reshape(bias, channel_shape);
  }
  return y;
}

// --- op table entry
namespace {

// Inputs: x, weight, bias, and an i64 scalar holding num_groups.
OpTableEntry group_norm_entry() {
  OpTableEntry e;
  e.name = "group_norm";
  e.fn = [](const std::vector<Tensor>& xs) {
    return group_norm(xs[0], xs[3].item<std::int64_t>(), xs[1], xs[2], 1e-5);
  };
  const auto inputs = [](Generator& g, const Shape& x, std::int64_t groups) {
    return std::vector<Tensor>{sample_normal(g, x), sample_positive(g, {x[1]}), sample_normal(g, {x[1]}),
                               full(Shape{}, static_cast<double>(groups), i64)};
  };
  e.samples = [inputs](Generator& g) -> std::vector<OpSample> {
    return {{"[2, 4, 3] 2 groups", inputs(g, {2, 4, 3}, 2)},
            {"[3, 6] 3 groups", inputs(g, {3, 6}, 3)},
            {"[2, 4, 2, 3] 4 groups", inputs(g, {2, 4, 2, 3}, 4)},
            {"[1, 3, 5] 1 group", inputs(g, {1, 3, 5}, 1)},
            {"transposed view [2, 2, 3, 2]", inputs(g, {2, 2, 2, 3}, 2), {0}},
            {"empty batch [0, 4, 3]", inputs(g, {0, 4, 3}, 2)},
            {"no positions [2, 4, 0]", inputs(g, {2, 4, 0}, 2), {}, "has no elements"}};
  };
  e.large_samples = [inputs](Generator& g) -> std::vector<OpSample> {
    return {{"[16, 32, 14, 14] 8 groups", inputs(g, {16, 32, 14, 14}, 8)},
            {"empty batch [0, 32, 14, 14]", inputs(g, {0, 32, 14, 14}, 8)}};
  };
  e.f32_tolerance = 1e-4;
  return e;
}

const OpRegistration reg_group_norm(group_norm_entry());

}  // namespace

}  // namespace tg
