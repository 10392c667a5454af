// softmax and log_softmax along one axis, max-subtracted for stability:
//   softmax(x)_j = exp(x_j - m) / sum_k exp(x_k - m),  m = max_k x_k
//   log_softmax(x)_j = x_j - m - log(sum_k exp(x_k - m))
// Backward, from the output y:
//   softmax:     dx = y * (g - sum(g * y))
//   log_softmax: dx = g - exp(y) * sum(g)
// A plain backward (no create_graph) runs the fused kernel (kernels/softmax.hpp); with create_graph the same formula is built from tapegrad
// ops, so the gradient is differentiable again.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "kernels/softmax.hpp"
#include "op_util.hpp"
#include "tapegrad/ops/elementwise.hpp"
#include "tapegrad/ops/op_table.hpp"
#include "tapegrad/ops/reduce.hpp"
#include "tapegrad/ops/softmax.hpp"

namespace tg {

namespace {

class SoftmaxNode final : public Node {
 public:
  SoftmaxNode(int axis, bool log) : axis_(axis), log_(log) {}
  const char* name() const override { return log_ ? "log_softmax" : "softmax"; }
  TensorList apply(TensorList&& grads) override {
    const Tensor y = output_.unpack(*this);
    const Tensor& g = grads[0];
    TensorList out;
    if (!is_grad_enabled()) {
      out.push_back(kernels::softmax_backward(g, y, axis_, log_));
    } else if (log_) {
      out.push_back(g - exp(y) * sum(g, {axis_}, /*keepdim=*/true));
    } else {
      out.push_back(y * (g - sum(g * y, {axis_}, /*keepdim=*/true)));
    }
    return out;
  }
  void release_saved() override { output_.release(); }
  SavedTensor output_;

 private:
  int axis_;
  bool log_;
};

Tensor softmax_op(const Tensor& x, std::int64_t axis, bool log) {
  const char* name = log ? "log_softmax" : "softmax";
  ops::check_floating(name, x);
  const int d = normalize_axis(axis, x.dim(), name);
  Tensor y = kernels::softmax_forward(x, d, log);
  if (auto node = ops::record<SoftmaxNode>(y, {&x}, d, log)) node->output_ = SavedTensor(y, /*is_output=*/true);
  ops::check_forward(name, y);
  return y;
}

}  // namespace

Tensor softmax(const Tensor& x, std::int64_t axis) { return softmax_op(x, axis, false); }
Tensor log_softmax(const Tensor& x, std::int64_t axis) { return softmax_op(x, axis, true); }

// --- op table entries
namespace {

template <bool Log>
OpTableEntry softmax_entry(const char* name, std::int64_t axis) {
  OpTableEntry e;
  e.name = name;
  e.fn = [axis](const std::vector<Tensor>& x) { return Log ? log_softmax(x[0], axis) : softmax(x[0], axis); };
  if (axis == -1) {
    e.samples = [](Generator& g) -> std::vector<OpSample> {
      return {{"[5]", {sample_normal(g, {5})}},
              {"[3, 4]", {sample_normal(g, {3, 4})}},
              {"[2, 3, 7]", {sample_normal(g, {2, 3, 7})}},
              {"[3, 1] (one class)", {sample_normal(g, {3, 1})}},
              {"transposed view [4, 3]", {sample_normal(g, {3, 4})}, {0}},
              {"empty [0, 4]", {sample_normal(g, {0, 4})}},
              {"no classes [3, 0]", {sample_normal(g, {3, 0})}}};
    };
    e.large_samples = [](Generator& g) -> std::vector<OpSample> {
      return {{"[128, 1000]", {sample_normal(g, {128, 1000})}},
              {"[64, 10] x 4", {sample_normal(g, {64, 10}) * 4.0}},
              {"transposed [1000, 128]", {sample_normal(g, {128, 1000})}, {0}},
              {"empty [0, 1000]", {sample_normal(g, {0, 1000})}}};
    };
  } else {  // axis 0: the softmax runs across rows (inner > 1)
    e.samples = [](Generator& g) -> std::vector<OpSample> {
      return {{"[3, 4]", {sample_normal(g, {3, 4})}},
              {"[4, 3, 2]", {sample_normal(g, {4, 3, 2})}},
              {"transposed view [5, 3]", {sample_normal(g, {3, 5})}, {0}},
              {"empty [0, 4]", {sample_normal(g, {0, 4})}},
              {"empty [3, 0]", {sample_normal(g, {3, 0})}}};
    };
    e.large_samples = [](Generator& g) -> std::vector<OpSample> {
      return {{"[300, 40]", {sample_normal(g, {300, 40})}},
              {"[10, 64, 8]", {sample_normal(g, {10, 64, 8})}},
              {"empty [300, 0]", {sample_normal(g, {300, 0})}}};
    };
  }
  return e;
}

const OpRegistration reg_softmax(softmax_entry<false>("softmax", -1));
const OpRegistration reg_softmax_axis0(softmax_entry<false>("softmax_axis0", 0));
const OpRegistration reg_log_softmax(softmax_entry<true>("log_softmax", -1));
const OpRegistration reg_log_softmax_axis0(softmax_entry<true>("log_softmax_axis0", 0));

}  // namespace

}  // namespace tg
