// linear(x, W, b) = x W^T + b with W [out, in] (PyTorch's convention). f32 runs on one
// oneDNN matmul with the bias fused into it; f64 on a reference loop. Backward, with
// tapegrad ops (so differentiable again): dx = dy W, dW = dy^T x, db = sum_rows dy.
#include "kernels/matmul.hpp"
#include "op_util.hpp"
#include "tapegrad/ops/linear.hpp"
#include "tapegrad/ops/matmul.hpp"
#include "tapegrad/ops/op_table.hpp"
#include "tapegrad/ops/reduce.hpp"
#include "tapegrad/ops/views.hpp"

namespace tg {

namespace {

class LinearNode final : public Node {
 public:
  const char* name() const override { return "linear"; }
  TensorList apply(TensorList&& grads) override {
    const Tensor& dy = grads[0];  // [M, out]
    TensorList out;
    out.resize(3);
    if (edges()[0].valid()) out[0] = matmul(dy, weight_.unpack(*this));
    if (edges()[1].valid()) out[1] = matmul(transpose(dy, 0, 1), input_.unpack(*this));
    // With create_graph the bias gradient must be an op (sum); without, a loop does.
    if (edges()[2].valid()) out[2] = is_grad_enabled() ? sum(dy, {0}) : kernels::column_sums(dy);
    return out;
  }
  void release_saved() override {
    input_.release();
    weight_.release();
  }
  SavedTensor input_, weight_;
};

// x [M, in] -> [M, out].
Tensor linear_2d(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  Tensor y = empty({x.size(0), weight.size(0)}, x.dtype());
  kernels::linear(x, weight, bias, y);
  if (auto node = ops::record<LinearNode>(y, {&x, &weight, &bias})) {
    if (node->edges()[0].valid()) node->weight_ = SavedTensor(weight, false);
    if (node->edges()[1].valid()) node->input_ = SavedTensor(x, false);
  }
  ops::check_forward("linear", y);
  return y;
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
