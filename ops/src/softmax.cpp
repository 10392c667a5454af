// softmax and log_softmax along one axis, max-subtracted for stability:
//   softmax(x)_j = exp(x_j - m) / sum_k exp(x_k - m),  m = max_k x_k
//   log_softmax(x)_j = x_j - m - log(sum_k exp(x_k - m))
// Backward, from the output y:
//   softmax:     dx = y * (g - sum(g * y))
//   log_softmax: dx = g - exp(y) * sum(g)
// The fused kernel (kernels/softmax.hpp) computes it unless the gradient is recorded
// (create_graph); then the same formula is built from tapegrad ops, so the gradient is
// differentiable again (ops::fused_or_composed in op_pattern.hpp).

#include "kernels/softmax.hpp"
#include "op_pattern.hpp"
#include "tapegrad/ops/elementwise.hpp"
#include "tapegrad/ops/op_table.hpp"
#include "tapegrad/ops/reduce.hpp"
#include "tapegrad/ops/softmax.hpp"

namespace tg {

namespace {

// softmax or log_softmax along axis; the gradient needs only the output y:
//   softmax:     dx = y (g - sum(g y))
//   log_softmax: dx = g - exp(y) sum(g)
struct Softmax {
  static constexpr std::size_t num_saved = 1;  // the output
  const char* name;                            // softmax or log_softmax
  std::int64_t axis_in;
  bool log;
  int axis = 0;

  Tensor forward(const Tensor& x) {
    ops::check_floating(name, x);
    axis = normalize_axis(axis_in, x.dim(), name);
    return kernels::softmax_forward(x, axis, log);
  }
  void save(ops::OpContext& ctx, const Tensor&, const Tensor& y) const { ctx.save_output(0, y); }
  TensorList backward(const ops::OpContext& ctx, const Tensor& g) const {
    const Tensor y = ctx.saved(0);
    return ops::grads(ops::fused_or_composed(
        {&g, &y}, [&] { return kernels::softmax_backward(g, y, axis, log); },
        [&] {
          return log ? g - exp(y) * sum(g, {axis}, /*keepdim=*/true) : y * (g - sum(g * y, {axis}, /*keepdim=*/true));
        }));
  }
};

Tensor softmax_op(const Tensor& x, std::int64_t axis, bool log) {
  return ops::apply(Softmax{log ? "log_softmax" : "softmax", axis, log}, x);
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
