// View ops: outputs share the input's storage; backward maps the gradient back to the
// input's shape (reshape back, transpose back, scatter into zeros, sum over expansion).
#include "op_util.hpp"
#include "tapegrad/ops/elementwise.hpp"
#include "tapegrad/ops/op_table.hpp"
#include "tapegrad/ops/reduce.hpp"
#include "tapegrad/ops/views.hpp"

namespace tg {

namespace {

class ReshapeNode final : public Node {
 public:
  explicit ReshapeNode(Shape input_shape) : input_shape_(input_shape) {}
  const char* name() const override { return "reshape"; }
  TensorList apply(TensorList&& grads) override {
    TensorList out;
    out.push_back(reshape(grads[0], input_shape_.to_vector()));
    return out;
  }

 private:
  Shape input_shape_;
};

class TransposeNode final : public Node {
 public:
  TransposeNode(int d0, int d1) : d0_(d0), d1_(d1) {}
  const char* name() const override { return "transpose"; }
  TensorList apply(TensorList&& grads) override {
    TensorList out;
    out.push_back(transpose(grads[0], d0_, d1_));
    return out;
  }

 private:
  int d0_, d1_;
};

Tensor slice_backward(const Tensor& g, const Shape& input_shape, int axis, std::int64_t start,
                      std::int64_t step);

class SliceNode final : public Node {
 public:
  SliceNode(Shape input_shape, int axis, std::int64_t start, std::int64_t step)
      : input_shape_(input_shape), axis_(axis), start_(start), step_(step) {}
  const char* name() const override { return "slice"; }
  TensorList apply(TensorList&& grads) override {
    TensorList out;
    out.push_back(slice_backward(grads[0], input_shape_, axis_, start_, step_));
    return out;
  }

 private:
  Shape input_shape_;
  int axis_;
  std::int64_t start_, step_;
};

// The gradient of slice: g scattered into zeros of the input's shape. Its own
// gradient is the slice of the incoming gradient.
class SliceBackwardNode final : public Node {
 public:
  SliceBackwardNode(int axis, std::int64_t start, std::int64_t stop, std::int64_t step)
      : axis_(axis), start_(start), stop_(stop), step_(step) {}
  const char* name() const override { return "slice_backward"; }
  TensorList apply(TensorList&& grads) override {
    TensorList out;
    out.push_back(slice(grads[0], axis_, start_, stop_, step_));
    return out;
  }

 private:
  int axis_;
  std::int64_t start_, stop_, step_;
};

Tensor slice_backward(const Tensor& g, const Shape& input_shape, int axis, std::int64_t start,
                      std::int64_t step) {
  Tensor out = zeros(input_shape, g.dtype());
  const std::int64_t stop = start + step * g.shape()[axis];
  {
    NoGradGuard no_grad;
    slice(out, axis, start, stop, step).copy_(g);
  }
  ops::record<SliceBackwardNode>(out, {&g}, axis, start, stop, step);
  return out;
}

class ExpandNode final : public Node {
 public:
  explicit ExpandNode(Shape input_shape) : input_shape_(input_shape) {}
  const char* name() const override { return "expand"; }
  TensorList apply(TensorList&& grads) override {
    TensorList out;
    out.push_back(sum_to(grads[0], input_shape_));
    return out;
  }

 private:
  Shape input_shape_;
};

Shape infer_shape(const Tensor& x, const std::vector<std::int64_t>& requested) {
  Shape shape;
  int infer = -1;
  std::int64_t known = 1;
  for (std::size_t i = 0; i < requested.size(); ++i) {
    const std::int64_t d = requested[i];
    if (d == -1) {
      TG_CHECK(infer < 0, "reshape: more than one -1 in {}", Shape(requested).str());
      infer = static_cast<int>(i);
      shape.push_back(1);
    } else {
      TG_CHECK(d >= 0, "reshape: negative dimension {} in {}", d, Shape(requested).str());
      TG_CHECK(!__builtin_mul_overflow(known, d, &known),
               "reshape: the number of elements of {} overflows int64", Shape(requested).str());
      shape.push_back(d);
    }
  }
  if (infer >= 0) {
    TG_CHECK(known != 0 && x.numel() % known == 0,
             "reshape: cannot reshape {} ({} elements) into {}", x.shape().str(), x.numel(),
             Shape(requested).str());
    shape[infer] = x.numel() / known;
  }
  TG_CHECK(shape.numel() == x.numel(), "reshape: cannot reshape {} ({} elements) into {} ({} elements)",
           x.shape().str(), x.numel(), shape.str(), shape.numel());
  return shape;
}

}  // namespace

Tensor reshape(const Tensor& x, const std::vector<std::int64_t>& requested) {
  const Shape shape = infer_shape(x, requested);
  if (shape == x.shape()) return x;
  Tensor out;
  if (x.is_contiguous()) {
    out = make_view(x, shape, contiguous_strides(shape), x.offset());
  } else {
    NoGradGuard no_grad;
    Tensor c = x.contiguous();
    out = make_view(c, shape, contiguous_strides(shape), c.offset());
  }
  ops::record<ReshapeNode>(out, {&x}, x.shape());
  return out;
}

Tensor transpose(const Tensor& x, std::int64_t dim0, std::int64_t dim1) {
  const int d0 = normalize_axis(dim0, x.dim(), "transpose"), d1 = normalize_axis(dim1, x.dim(), "transpose");
  Shape shape = x.shape(), strides = x.strides();
  std::swap(shape[d0], shape[d1]);
  std::swap(strides[d0], strides[d1]);
  Tensor out = make_view(x, shape, strides, x.offset());
  ops::record<TransposeNode>(out, {&x}, d0, d1);
  return out;
}

Tensor slice(const Tensor& x, std::int64_t axis_in, std::int64_t start, std::int64_t stop, std::int64_t step) {
  const int axis = normalize_axis(axis_in, x.dim(), "slice");
  TG_CHECK(step > 0, "slice: step must be positive, got {}", step);
  const std::int64_t n = x.shape()[axis];
  TG_CHECK(start >= 0 && start <= n, "slice: start {} is out of range for axis {} of size {} (shape {})",
           start, axis, n, x.shape().str());
  stop = std::clamp<std::int64_t>(stop, start, n);
  Shape shape = x.shape(), strides = x.strides();
  shape[axis] = (stop - start + step - 1) / step;
  strides[axis] *= step;
  Tensor out = make_view(x, shape, strides, x.offset() + start * x.strides()[axis]);
  ops::record<SliceNode>(out, {&x}, x.shape(), axis, start, step);
  return out;
}

Tensor expand(const Tensor& x, const Shape& shape) {
  TG_CHECK(shape.size() >= x.dim(), "expand: cannot expand {} to fewer dims {}", x.shape().str(), shape.str());
  if (shape == x.shape()) return x;
  Shape strides;
  strides.resize(shape.size());
  const int lead = shape.size() - x.dim();
  for (int d = 0; d < shape.size(); ++d) {
    const int j = d - lead;
    if (j < 0) {
      strides[d] = 0;
      continue;
    }
    TG_CHECK(x.shape()[j] == shape[d] || x.shape()[j] == 1,
             "expand: cannot expand {} to {} (dim {} is {}, must be 1 or {})", x.shape().str(), shape.str(),
             j, x.shape()[j], shape[d]);
    strides[d] = x.shape()[j] == shape[d] ? x.strides()[j] : 0;
  }
  Tensor out = make_view(x, shape, strides, x.offset());
  ops::record<ExpandNode>(out, {&x}, x.shape());
  return out;
}

Tensor unsqueeze(const Tensor& x, std::int64_t axis) {
  const int d = normalize_axis(axis, x.dim() + 1, "unsqueeze");
  std::vector<std::int64_t> shape = x.shape().to_vector();
  shape.insert(shape.begin() + d, 1);
  return reshape(x, shape);
}

Tensor squeeze(const Tensor& x, std::int64_t axis) {
  const int d = normalize_axis(axis, x.dim(), "squeeze");
  TG_CHECK(x.shape()[d] == 1, "squeeze: dim {} of {} has size {}, not 1", d, x.shape().str(), x.shape()[d]);
  std::vector<std::int64_t> shape = x.shape().to_vector();
  shape.erase(shape.begin() + d);
  return reshape(x, shape);
}

Tensor flatten(const Tensor& x) { return reshape(x, {x.numel()}); }

// --- op table entries
namespace {

OpTableEntry view_entry(const char* name, std::function<Tensor(const Tensor&)> fn, Shape shape, Shape empty_shape) {
  OpTableEntry e;
  e.name = name;
  e.fn = [fn](const std::vector<Tensor>& x) { return fn(x[0]); };
  e.samples = [shape, empty_shape](Generator& g) -> std::vector<OpSample> {
    return {{shape.str(), {sample_normal(g, shape)}}, {"empty " + empty_shape.str(), {sample_normal(g, empty_shape)}}};
  };
  return e;
}

const OpRegistration reg_reshape(view_entry("reshape", [](const Tensor& x) { return reshape(x, {4, -1}); }, {2, 3, 2}, {0, 3, 2}));
const OpRegistration reg_reshape_strided(view_entry(
    "reshape_strided", [](const Tensor& x) { return reshape(transpose(x, 0, 1), {-1}); }, {3, 4}, {0, 4}));
const OpRegistration reg_transpose(view_entry("transpose", [](const Tensor& x) { return transpose(x, 0, -1); }, {2, 3, 4}, {0, 3, 4}));
const OpRegistration reg_slice(view_entry("slice", [](const Tensor& x) { return slice(x, 1, 1, 6, 2); }, {3, 7}, {0, 7}));
const OpRegistration reg_expand(view_entry(
    "expand", [](const Tensor& x) { return expand(x, {2, x.size(0), 4}); }, {3, 1}, {0, 1}));
const OpRegistration reg_unsqueeze(view_entry("unsqueeze", [](const Tensor& x) { return unsqueeze(x, -1); }, {3, 2}, {0, 2}));
const OpRegistration reg_squeeze(view_entry("squeeze", [](const Tensor& x) { return squeeze(x, 1); }, {3, 1, 2}, {0, 1, 2}));

}  // namespace

}  // namespace tg
