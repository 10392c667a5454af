// linear(x, W, b) = x W^T + b with W [out, in] (PyTorch's convention). f32 runs on one
// oneDNN matmul with the bias fused into it; f64 on a reference loop. Backward, with
// tapegrad ops (so differentiable again): dx = dy W, dW = dy^T x, db = sum_rows dy.
#include "kernels/matmul.hpp"
#include "op_pattern.hpp"
#include "tapegrad/ops/linear.hpp"
#include "tapegrad/ops/matmul.hpp"
#include "tapegrad/ops/op_table.hpp"
#include "tapegrad/ops/reduce.hpp"
#include "tapegrad/ops/views.hpp"

namespace tg {

namespace {

// x [M, in], weight [out, in], bias [out] or undefined (checked by linear) -> [M, out].
// Saves w for dx and x for dW, each only when that gradient is wanted.
struct Linear2d {
  static constexpr const char* name = "linear";
  static constexpr std::size_t num_saved = 2;  // input, weight
  Tensor forward(const Tensor& x, const Tensor& weight, const Tensor& bias) const {
    Tensor y = empty({x.size(0), weight.size(0)}, x.dtype());
    kernels::linear(x, weight, bias, y);
    return y;
  }
  void save(ops::OpContext& ctx, const Tensor& x, const Tensor& weight, const Tensor&, const Tensor&) const {
    if (ctx.needs_input_grad(0)) ctx.save(1, weight);
    if (ctx.needs_input_grad(1)) ctx.save(0, x);
  }
  TensorList backward(const ops::OpContext& ctx, const Tensor& dy) const {  // dy [M, out]
    TensorList out;
    out.resize(3);
    if (ctx.needs_input_grad(0)) out[0] = matmul(dy, ctx.saved(1));
    if (ctx.needs_input_grad(1)) out[1] = matmul(transpose(dy, 0, 1), ctx.saved(0));
    if (ctx.needs_input_grad(2))
      out[2] = ops::fused_or_composed({&dy}, [&] { return kernels::column_sums(dy); }, [&] { return sum(dy, {0}); });
    return out;
  }
};

Tensor linear_2d(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  return ops::apply(Linear2d{}, x, weight, bias);
}

}  // namespace

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  ops::check_floating("linear", x);
  ops::check_same_dtype("linear", x, weight);
  TG_CHECK(weight.dim() == 2, "linear: weight has {} dims {}, expected 2 (out_features, in_features)", weight.dim(),
           weight.shape().str());
  TG_CHECK(x.dim() >= 1, "linear: input is a scalar, expected [..., in_features]");
  const std::int64_t in = weight.size(1), out = weight.size(0);
  TG_CHECK(x.size(-1) == in, "linear: input {} has {} features (last dim) but weight {} expects {}", x.shape().str(),
           x.size(-1), weight.shape().str(), in);
  if (bias.defined()) {
    ops::check_same_dtype("linear", x, bias);
    TG_CHECK(bias.dim() == 1 && bias.size(0) == out, "linear: bias has shape {}, expected [{}] (out_features of weight {})",
             bias.shape().str(), out, weight.shape().str());
  }
  if (x.dim() == 2) return linear_2d(x, weight, bias);
  // [..., in] as rows of [M, in], and back.
  std::vector<std::int64_t> out_shape(x.shape().begin(), x.shape().end());
  out_shape.back() = out;
  return reshape(linear_2d(reshape(x, {-1, in}), weight, bias), out_shape);
}

namespace {

Tensor linear_fn(const std::vector<Tensor>& x) { return linear(x[0], x[1], x.size() > 2 ? x[2] : Tensor{}); }

const OpRegistration reg_linear([] {
  OpTableEntry e;
  e.name = "linear";
  e.fn = linear_fn;
  e.samples = [](Generator& g) -> std::vector<OpSample> {
    return {
        {"[3, 4] -> 5", {sample_normal(g, {3, 4}), sample_normal(g, {5, 4}), sample_normal(g, {5})}},
        {"[3, 4] -> 5, no bias", {sample_normal(g, {3, 4}), sample_normal(g, {5, 4})}},
        {"[1, 6] -> 1", {sample_normal(g, {1, 6}), sample_normal(g, {1, 6}), sample_normal(g, {1})}},
        {"vector [4] -> 3", {sample_normal(g, {4}), sample_normal(g, {3, 4}), sample_normal(g, {3})}},
        {"[2, 3, 4] -> 2", {sample_normal(g, {2, 3, 4}), sample_normal(g, {2, 4}), sample_normal(g, {2})}},
        {"transposed input [3, 4] -> 5", {sample_normal(g, {4, 3}), sample_normal(g, {5, 4}), sample_normal(g, {5})}, {0}},
        {"transposed weight [3, 4] -> 5", {sample_normal(g, {3, 4}), sample_normal(g, {4, 5}), sample_normal(g, {5})}, {1}},
        {"empty batch [0, 4] -> 5", {sample_normal(g, {0, 4}), sample_normal(g, {5, 4}), sample_normal(g, {5})}},
        {"no features [3, 0] -> 5", {sample_normal(g, {3, 0}), sample_normal(g, {5, 0}), sample_normal(g, {5})}},
        {"no outputs [3, 4] -> 0", {sample_normal(g, {3, 4}), sample_normal(g, {0, 4}), sample_normal(g, {0})}},
    };
  };
  e.f32_tolerance = 1e-4;
  e.large_samples = [](Generator& g) -> std::vector<OpSample> {
    return {{"[64, 784] -> 128", {sample_normal(g, {64, 784}), sample_normal(g, {128, 784}), sample_normal(g, {128})}},
            {"[4, 16, 300] -> 70, no bias", {sample_normal(g, {4, 16, 300}), sample_normal(g, {70, 300})}},
            {"empty batch [0, 784] -> 128", {sample_normal(g, {0, 784}), sample_normal(g, {128, 784}), sample_normal(g, {128})}},
            {"no features [64, 0] -> 128", {sample_normal(g, {64, 0}), sample_normal(g, {128, 0}), sample_normal(g, {128})}}};
  };
  return e;
}());

}  // namespace

}  // namespace tg
