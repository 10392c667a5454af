// concat and stack (copies). concat's gradient is the slices of the incoming gradient
// (slice is a differentiable view); stack is concat of unsqueezed inputs.
#include <memory>
#include <span>

#include "op_pattern.hpp"
#include "tapegrad/ops/op_table.hpp"
#include "tapegrad/ops/shape_ops.hpp"
#include "tapegrad/ops/views.hpp"
#include "tapegrad/tensor_iteration.hpp"

namespace tg {

namespace {

// Takes the inputs already checked (same dtype, shapes equal except along axis).
struct Concat {
  static constexpr const char* name = "concat";
  int axis;
  Shape shape;
  std::vector<std::int64_t> sizes;
  Tensor forward(std::span<const Tensor> tensors) const {
    Tensor out = empty(shape, tensors[0].dtype());
    std::int64_t start = 0;
    for (const Tensor& t : tensors) {
      copy_elements(make_view(out, t.shape(), out.strides(), start * out.strides()[axis]), t);
      start += t.shape()[axis];
    }
    return out;
  }
  TensorList backward(const ops::OpContext& ctx, const Tensor& g) const {
    TensorList out;
    out.resize(sizes.size());
    std::int64_t start = 0;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
      if (ctx.needs_input_grad(i)) out[i] = slice(g, axis, start, start + sizes[i]);
      start += sizes[i];
    }
    return out;
  }
};

// The first tensor of a non-empty list of one dtype.
const Tensor& check_list(const char* op, const std::vector<Tensor>& tensors) {
  TG_CHECK(!tensors.empty(), "{}: expected at least one tensor, got an empty list", op);
  const Tensor& first = tensors[0];
  for (std::size_t i = 1; i < tensors.size(); ++i)
    TG_CHECK(tensors[i].dtype() == first.dtype(), "{}: tensor {} has dtype {} {} but tensor 0 has {} {}", op, i,
             dtype_name(tensors[i].dtype()), tensors[i].shape().str(), dtype_name(first.dtype()), first.shape().str());
  return first;
}

}  // namespace

Tensor concat(const std::vector<Tensor>& tensors, std::int64_t axis_in) {
  const Tensor& first = check_list("concat", tensors);
  const int axis = normalize_axis(axis_in, first.dim(), "concat");
  Shape shape = first.shape();
  std::vector<std::int64_t> sizes;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const Shape& s = tensors[i].shape();
    bool match = s.size() == shape.size();
    for (int d = 0; match && d < s.size(); ++d) match = d == axis || s[d] == shape[d];
    TG_CHECK(match, "concat: tensor {} has shape {} but tensor 0 has {}; they must match except along axis {}", i,
             s.str(), shape.str(), axis);
    sizes.push_back(s[axis]);
  }
  shape[axis] = 0;
  for (std::int64_t n : sizes) shape[axis] += n;
  const std::span<const Tensor> inputs(tensors);
  return ops::apply(Concat{axis, shape, std::move(sizes)}, inputs);
}

Tensor stack(const std::vector<Tensor>& tensors, std::int64_t axis_in) {
  const Tensor& first = check_list("stack", tensors);
  const int axis = normalize_axis(axis_in, first.dim() + 1, "stack");
  std::vector<Tensor> expanded;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    TG_CHECK(tensors[i].shape() == first.shape(), "stack: tensor {} has shape {} but tensor 0 has {}; all must have the same shape",
             i, tensors[i].shape().str(), first.shape().str());
    expanded.push_back(unsqueeze(tensors[i], axis));
  }
  return concat(expanded, axis);
}

// --- op table entries
namespace {

OpTableEntry join_entry(const char* name, Tensor (*join)(const std::vector<Tensor>&, std::int64_t), std::int64_t axis,
                        std::vector<std::vector<Shape>> shape_lists) {
  OpTableEntry e;
  e.name = name;
  e.fn = [join, axis](const std::vector<Tensor>& x) { return join(x, axis); };
  e.samples = [shape_lists](Generator& g) {
    std::vector<OpSample> samples;
    for (const auto& shapes : shape_lists) {
      OpSample s;
      for (const Shape& shape : shapes) {
        s.label += (s.label.empty() ? "" : " + ") + shape.str();
        s.inputs.push_back(sample_normal(g, shape));
      }
      samples.push_back(s);
    }
    // The same inputs with the first one a transposed view.
    OpSample t = samples.front();
    t.label += " (first transposed)";
    t.inputs[0] = transpose(t.inputs[0], -1, -2).contiguous();
    t.transposed = {0};
    samples.push_back(t);
    return samples;
  };
  return e;
}

// The last shape list of each has empty inputs.
const OpRegistration reg_concat(join_entry(
    "concat", concat, 1, {{{2, 3}, {2, 1}, {2, 4}}, {{3, 3}}, {{1, 2, 2}, {1, 5, 2}}, {{2, 0}, {2, 3}}, {{0, 3}, {0, 1}}}));
const OpRegistration reg_concat_last(join_entry(
    "concat_last_axis", concat, -1, {{{3, 2}, {3, 3}}, {{4, 1}, {4, 1}, {4, 1}}, {{3, 0}, {3, 2}}}));
const OpRegistration reg_stack(join_entry("stack", stack, 1, {{{2, 3}, {2, 3}, {2, 3}}, {{4}, {4}}, {{0, 3}, {0, 3}}}));
const OpRegistration reg_stack_last(join_entry("stack_last_axis", stack, -1, {{{3, 2}, {3, 2}}, {{0, 2}, {0, 2}}}));

}  // namespace

}  // namespace tg
