// View ops: outputs share the input's storage; backward maps the gradient back to the
// input's shape (reshape back, transpose back, scatter into zeros, sum over expansion).
#include "op_pattern.hpp"
#include "tapegrad/ops/elementwise.hpp"
#include "tapegrad/ops/op_table.hpp"
#include "tapegrad/ops/reduce.hpp"
#include "tapegrad/ops/views.hpp"

namespace tg {

namespace {

// Each op's forward makes the view (the output shares the input's storage); backward
// maps the gradient back to the input's shape.

struct Reshape {
  static constexpr const char* name = "reshape";
  Shape shape;
  Shape input_shape{};  // set by save
  Tensor forward(const Tensor& x) const {
    if (x.is_contiguous()) return make_view(x, shape, contiguous_strides(shape), x.offset());
    NoGradGuard no_grad;
    Tensor c = x.contiguous();
    return make_view(c, shape, contiguous_strides(shape), c.offset());
  }
  // Only a recorded op needs the input's shape.
  void save(ops::OpContext&, const Tensor& x, const Tensor&) { input_shape = x.shape(); }
  TensorList backward(const ops::OpContext&, const Tensor& g) const { return ops::grads(reshape(g, input_shape.to_vector())); }
};

struct Transpose {
  static constexpr const char* name = "transpose";
  int d0, d1;
  Tensor forward(const Tensor& x) const {
    Shape shape = x.shape(), strides = x.strides();
    std::swap(shape[d0], shape[d1]);
    std::swap(strides[d0], strides[d1]);
    return make_view(x, shape, strides, x.offset());
  }
  TensorList backward(const ops::OpContext&, const Tensor& g) const { return ops::grads(transpose(g, d0, d1)); }
};

Tensor slice_backward(const Tensor& g, const Shape& input_shape, int axis, std::int64_t start,
                      std::int64_t step);

// Takes start, stop already checked and clamped.
struct Slice {
  static constexpr const char* name = "slice";
  int axis;
  std::int64_t start, stop, step;
  Shape input_shape{};  // set by save
  Tensor forward(const Tensor& x) const {
    Shape shape = x.shape(), strides = x.strides();
    shape[axis] = (stop - start + step - 1) / step;
    strides[axis] *= step;
    return make_view(x, shape, strides, x.offset() + start * x.strides()[axis]);
  }
  // Only a recorded op needs the input's shape.
  void save(ops::OpContext&, const Tensor& x, const Tensor&) { input_shape = x.shape(); }
  TensorList backward(const ops::OpContext&, const Tensor& g) const {
    return ops::grads(slice_backward(g, input_shape, axis, start, step));
  }
};

// The gradient of slice: g scattered into zeros of the input's shape. Its own
// gradient is the slice of the incoming gradient.
struct SliceBackward {
  static constexpr const char* name = "slice_backward";
  Shape input_shape;
  int axis;
  std::int64_t start, stop, step;
  Tensor forward(const Tensor& g) const {
    Tensor out = zeros(input_shape, g.dtype());
    NoGradGuard no_grad;
    slice(out, axis, start, stop, step).copy_(g);
    return out;
  }
  TensorList backward(const ops::OpContext&, const Tensor& g) const { return ops::grads(slice(g, axis, start, stop, step)); }
};

Tensor slice_backward(const Tensor& g, const Shape& input_shape, int axis, std::int64_t start,
                      std::int64_t step) {
  return ops::apply(SliceBackward{input_shape, axis, start, start + step * g.shape()[axis], step}, g);
}

struct Expand {
  static constexpr const char* name = "expand";
  Shape shape, strides;  // strides: computed by expand's checks
  Shape input_shape{};   // set by save
  Tensor forward(const Tensor& x) const { return make_view(x, shape, strides, x.offset()); }
  // Only a recorded op needs the input's shape.
  void save(ops::OpContext&, const Tensor& x, const Tensor&) { input_shape = x.shape(); }
  TensorList backward(const ops::OpContext&, const Tensor& g) const { return ops::grads(sum_to(g, input_shape)); }
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
  return ops::apply(Reshape{shape}, x);
}

Tensor transpose(const Tensor& x, std::int64_t dim0, std::int64_t dim1) {
  const int d0 = normalize_axis(dim0, x.dim(), "transpose"), d1 = normalize_axis(dim1, x.dim(), "transpose");
  return ops::apply(Transpose{d0, d1}, x);
}

Tensor slice(const Tensor& x, std::int64_t axis_in, std::int64_t start, std::int64_t stop, std::int64_t step) {
  const int axis = normalize_axis(axis_in, x.dim(), "slice");
  TG_CHECK(step > 0, "slice: step must be positive, got {}", step);
  const std::int64_t n = x.shape()[axis];
  // Python's rule for a[start:stop]: a negative bound counts from the end, then both
  // are clamped to [0, n], and a stop before start gives an empty slice.
  const auto clamp_bound = [n](std::int64_t b) { return std::clamp<std::int64_t>(b < 0 ? b + n : b, 0, n); };
  start = clamp_bound(start);
  stop = std::max(clamp_bound(stop), start);
  return ops::apply(Slice{axis, start, stop, step}, x);
}

Tensor select(const Tensor& x, std::int64_t axis, std::int64_t index) {
  TG_CHECK(x.dim() > 0, "select: cannot index a 0-d tensor (index {})", index);
  const int d = normalize_axis(axis, x.dim(), "select");
  const std::int64_t n = x.shape()[d];
  TG_CHECK(index >= -n && index < n, "select: index {} is out of range for dim {} of size {} (shape {})", index,
           d, n, x.shape().str());
  const std::int64_t i = index < 0 ? index + n : index;
  return squeeze(slice(x, d, i, i + 1), d);
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
  return ops::apply(Expand{shape, strides}, x);
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

Tensor flatten(const Tensor& x, std::int64_t start_dim, std::int64_t end_dim) {
  if (x.dim() == 0) return flatten(x);  // as PyTorch: a 0-d tensor flattens to [1]
  const int s = normalize_axis(start_dim, x.dim(), "flatten"), e = normalize_axis(end_dim, x.dim(), "flatten");
  TG_CHECK(s <= e, "flatten: start_dim {} comes after end_dim {} (shape {})", start_dim, end_dim, x.shape().str());
  std::vector<std::int64_t> shape;
  std::int64_t merged = 1;
  for (int d = 0; d < x.dim(); ++d) {
    if (d < s || d > e) {
      shape.push_back(x.shape()[d]);
    } else {
      merged *= x.shape()[d];
      if (d == e) shape.push_back(merged);
    }
  }
  return reshape(x, shape);
}

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
