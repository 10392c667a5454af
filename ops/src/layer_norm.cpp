// layer_norm (Ba, Kiros & Hinton 2016): each sample standardized over its trailing
// dims normalized_shape, then weight * y + bias elementwise over those dims. A
// composition of tapegrad ops (standardize.hpp): its gradients of every order are
// theirs, its f32 path is theirs (oneDNN reductions and eltwise for large inputs).
#include <fmt/format.h>

#include "op_util.hpp"
#include "standardize.hpp"
#include "tapegrad/ops/normalization.hpp"
#include "tapegrad/ops/op_table.hpp"

namespace tg {

Tensor layer_norm(const Tensor& x, const std::vector<std::int64_t>& normalized_shape, const Tensor& weight,
                  const Tensor& bias, double eps) {
  ops::check_floating("layer_norm", x);
  const Shape norm(normalized_shape);
  const int k = static_cast<int>(norm.size());
  TG_CHECK(k > 0, "layer_norm: normalized_shape is empty, expected the sizes of 1 or more trailing dims of the input {}",
           x.shape().str());
  bool trailing = k <= x.dim();
  for (int i = 0; trailing && i < k; ++i) trailing = x.size(x.dim() - k + i) == norm[i];
  TG_CHECK(trailing, "layer_norm: normalized_shape {} is not the trailing dims of the input {}", norm.str(),
           x.shape().str());
  TG_CHECK(norm.numel() > 0, "layer_norm: normalized_shape {} has no elements: the mean over them is undefined",
           norm.str());
  TG_CHECK(eps > 0, "layer_norm: eps must be positive, got {}", eps);
  ops::check_affine("layer_norm", "weight", weight, x, norm, "normalized_shape");
  ops::check_affine("layer_norm", "bias", bias, x, norm, "normalized_shape");
  std::vector<std::int64_t> axes;
  for (int i = 0; i < k; ++i) axes.push_back(x.dim() - k + i);
  Tensor y = ops::standardize(x, axes, eps);
  if (weight.defined()) y = y * weight;
  if (bias.defined()) y = y + bias;
  return y;
}

// --- op table entries
namespace {

// Inputs: x, then weight and bias when given; normalized over the last `k` dims.
OpTableEntry layer_norm_entry(const char* name, int k, bool affine) {
  OpTableEntry e;
  e.name = name;
  e.fn = [k, affine](const std::vector<Tensor>& xs) {
    const Shape& s = xs[0].shape();
    const std::vector<std::int64_t> norm(s.end() - k, s.end());
    return layer_norm(xs[0], norm, affine ? xs[1] : Tensor{}, affine ? xs[2] : Tensor{}, 1e-5);
  };
  const auto inputs = [k, affine](Generator& g, const Shape& x) {
    std::vector<Tensor> in{sample_normal(g, x)};
    if (affine) {
      const Shape norm(std::vector<std::int64_t>(x.end() - k, x.end()));
      in.push_back(sample_positive(g, norm));
      in.push_back(sample_normal(g, norm));
    }
    return in;
  };
  e.samples = [inputs, affine](Generator& g) -> std::vector<OpSample> {
    std::vector<OpSample> s{{"[4, 5]", inputs(g, {4, 5})},
                            {"[2, 3, 4]", inputs(g, {2, 3, 4})},
                            {"[3, 1, 6]", inputs(g, {3, 1, 6})},
                            {"empty batch [0, 2, 4]", inputs(g, {0, 2, 4})},
                            {"no features [3, 0, 0]", inputs(g, {3, 0, 0}), {}, "has no elements"}};
    if (!affine) s.push_back({"transposed view [2, 4, 3]", inputs(g, {2, 3, 4}), {0}});
    return s;
  };
  e.large_samples = [inputs](Generator& g) -> std::vector<OpSample> {
    return {{"[64, 32, 256]", inputs(g, {64, 32, 256})}, {"empty batch [0, 32, 256]", inputs(g, {0, 32, 256})}};
  };
  e.f32_tolerance = 1e-4;
  return e;
}

const OpRegistration reg_layer_norm(layer_norm_entry("layer_norm", 1, true));
const OpRegistration reg_layer_norm_2d(layer_norm_entry("layer_norm_last2_no_affine", 2, false));

}  // namespace

}  // namespace tg
