// sum and mean over all elements or over axes; sum_to, the inverse of broadcasting.
#include <algorithm>

#include "kernels/reduce.hpp"
#include "op_pattern.hpp"
#include "reduced_axes.hpp"
#include "tapegrad/ops/elementwise.hpp"
#include "tapegrad/ops/op_table.hpp"
#include "tapegrad/ops/reduce.hpp"
#include "tapegrad/ops/views.hpp"
#include "tapegrad/tensor_iteration.hpp"

namespace tg {

namespace {

// sum (scale 1) or mean (scale 1 / count) over the reduced axes. Its gradient is g
// broadcast back to the input's shape, times scale.
struct Reduce {
  const char* name;  // sum or mean
  std::vector<bool> reduced;
  bool keepdim, mean;
  Shape input_shape{}, keep{};
  double scale = 1;

  Tensor forward(const Tensor& x) {
    input_shape = x.shape();
    keep = keepdim_shape(x.shape(), reduced);
    Tensor out = kernels::sum_keepdim(x, keep);
    std::int64_t count = 1;
    for (int d = 0; d < x.dim(); ++d)
      if (reduced[static_cast<std::size_t>(d)]) count *= x.shape()[d];
    scale = mean ? 1.0 / static_cast<double>(std::max<std::int64_t>(count, 1)) : 1.0;
    if (mean) {
      TG_CHECK(count > 0, "mean: reducing over {} elements (shape {}): the mean of nothing is undefined",
               count, x.shape().str());
      NoGradGuard no_grad;
      out = out * scale;
    }
    if (!keepdim) out = make_view(out, dropped_shape(x.shape(), reduced), contiguous_strides(dropped_shape(x.shape(), reduced)), 0);
    return out;
  }
  TensorList backward(const ops::OpContext&, const Tensor& g) const {
    Tensor spread = expand(reshape(g, keep.to_vector()), input_shape);
    return ops::grads(scale == 1 ? spread : spread * scale);
  }
};

Tensor reduce(const char* op, const Tensor& x, const std::vector<std::int64_t>& axes, bool keepdim, bool mean) {
  // sum is defined on i64 (never recorded: an i64 tensor cannot require grad); the
  // mean of integers is not (PyTorch asks for a floating dtype too).
  if (mean || x.dtype() != i64) ops::check_floating(op, x);  // before the axes are checked
  return ops::apply(Reduce{op, reduced_axes(op, axes, x.dim()), keepdim, mean}, x);
}

}  // namespace

Tensor sum(const Tensor& x) { return reduce("sum", x, {}, false, false); }
Tensor sum(const Tensor& x, const std::vector<std::int64_t>& axes, bool keepdim) {
  TG_CHECK(!axes.empty() || x.dim() == 0, "sum: empty axis list (call sum(x) to reduce over all axes)");
  return reduce("sum", x, axes, keepdim, false);
}
Tensor mean(const Tensor& x) { return reduce("mean", x, {}, false, true); }
Tensor mean(const Tensor& x, const std::vector<std::int64_t>& axes, bool keepdim) {
  TG_CHECK(!axes.empty() || x.dim() == 0, "mean: empty axis list (call mean(x) to reduce over all axes)");
  return reduce("mean", x, axes, keepdim, true);
}

Tensor sum_to(const Tensor& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  TG_CHECK(broadcast_shapes(shape, x.shape(), "sum_to") == x.shape(),
           "sum_to: shape {} does not broadcast to {}", shape.str(), x.shape().str());
  const int lead = x.dim() - shape.size();
  std::vector<std::int64_t> axes;
  for (int d = 0; d < x.dim(); ++d)
    if (d < lead || (shape[d - lead] == 1 && x.shape()[d] != 1)) axes.push_back(d);
  Tensor s = axes.empty() ? x : sum(x, axes, /*keepdim=*/true);
  return reshape(s, shape.to_vector());
}

// --- op table entries
namespace {

OpTableEntry reduce_entry(const char* name, bool is_mean) {
  OpTableEntry e;
  e.name = name;
  e.fn = [is_mean](const std::vector<Tensor>& x) {
    return is_mean ? mean(x[0]) : sum(x[0]);
  };
  // The sum of nothing is 0; the mean of nothing is refused.
  const std::string empty_error = is_mean ? "the mean of nothing is undefined" : "";
  e.samples = [empty_error](Generator& g) -> std::vector<OpSample> {
    return {{"[3, 4]", {sample_normal(g, {3, 4})}},
            {"scalar []", {sample_normal(g, {})}},
            {"transposed view [4, 3]", {sample_normal(g, {3, 4})}, {0}},
            {"empty [0, 4]", {sample_normal(g, {0, 4})}, {}, empty_error}};
  };
  e.f32_tolerance = 1e-4;
  e.large_samples = [empty_error](Generator& g) -> std::vector<OpSample> {
    return {{"[80, 64]", {sample_normal(g, {80, 64})}},
            {"transposed [80, 64]", {sample_normal(g, {64, 80})}, {0}},
            {"empty [80, 0]", {sample_normal(g, {80, 0})}, {}, empty_error}};
  };
  return e;
}

OpTableEntry reduce_axes_entry(const char* name, bool is_mean, std::vector<std::int64_t> axes, bool keepdim) {
  OpTableEntry e;
  e.name = name;
  e.fn = [=](const std::vector<Tensor>& x) {
    return is_mean ? mean(x[0], axes, keepdim) : sum(x[0], axes, keepdim);
  };
  e.samples = [](Generator& g) -> std::vector<OpSample> {
    return {{"[2, 3, 4]", {sample_normal(g, {2, 3, 4})}},
            {"[2, 1, 5]", {sample_normal(g, {2, 1, 5})}},
            {"transposed view [2, 4, 3]", {sample_normal(g, {2, 3, 4})}, {0}},
            {"empty [0, 3, 4]", {sample_normal(g, {0, 3, 4})}},
            {"empty [2, 0, 4]", {sample_normal(g, {2, 0, 4})}}};
  };
  e.f32_tolerance = 1e-4;
  e.large_samples = [](Generator& g) -> std::vector<OpSample> {
    return {{"[8, 40, 64]", {sample_normal(g, {8, 40, 64})}},
            {"transposed [8, 64, 40]", {sample_normal(g, {8, 40, 64})}, {0}},
            {"empty [8, 0, 64]", {sample_normal(g, {8, 0, 64})}}};
  };
  return e;
}

const OpRegistration reg_sum(reduce_entry("sum", false));
const OpRegistration reg_mean(reduce_entry("mean", true));
const OpRegistration reg_sum_axes(reduce_axes_entry("sum_axes", false, {0, -1}, false));
const OpRegistration reg_sum_keepdim(reduce_axes_entry("sum_keepdim", false, {1}, true));
const OpRegistration reg_mean_axes(reduce_axes_entry("mean_axes", true, {-1}, false));

OpTableEntry sum_to_entry() {
  OpTableEntry e;
  e.name = "sum_to";
  e.fn = [](const std::vector<Tensor>& x) { return sum_to(x[0], Shape{3, 1}); };
  e.samples = [](Generator& g) -> std::vector<OpSample> {
    return {{"[2, 3, 4] -> [3, 1]", {sample_normal(g, {2, 3, 4})}}, {"empty [0, 3, 4] -> [3, 1]", {sample_normal(g, {0, 3, 4})}}};
  };
  return e;
}
const OpRegistration reg_sum_to(sum_to_entry());

}  // namespace

}  // namespace tg
