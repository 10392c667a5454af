// Indexing along an axis: index_select and gather read through an index, index_add
// and scatter_add add through one. Each pair are each other's gradients, so both
// directions are differentiable ops.
//
// One kernel serves each direction. The loop runs over the result's (or source's)
// shape; the indexed tensor is seen with that shape and stride 0 along the axis, and
// the element an index i addresses is at that position plus i * stride(axis).
// index_select's 1-D indices are broadcast to the loop shape the same way.
#include "op_pattern.hpp"
#include "tapegrad/ops/indexing.hpp"
#include "tapegrad/ops/op_table.hpp"
#include "tapegrad/tensor_iteration.hpp"

namespace tg {

namespace {

// t seen with `shape` (a box from its origin) and stride 0 along axis.
Tensor axis_base(const Tensor& t, const Shape& shape, int axis) {
  Shape strides = t.strides();
  strides[axis] = 0;
  return make_view(t, shape, strides, t.offset());
}

// 1-D indices seen with `shape`: indices[j] at position j along axis, everywhere.
Tensor spread_indices(const Tensor& indices, const Shape& shape, int axis) {
  Shape strides;
  strides.resize(shape.size());
  strides[axis] = indices.strides()[0];
  return make_view(indices, shape, strides, indices.offset());
}

void check_index_dtype(const char* op, const Tensor& index) {
  TG_CHECK(index.dtype() == i64, "{}: indices must be an i64 tensor, got {} of shape {}", op, dtype_name(index.dtype()),
           index.shape().str());
}

void check_in_range(const char* op, const Tensor& index, int axis, const Shape& indexed_shape) {
  const std::int64_t size = indexed_shape[axis];
  for (const std::int64_t i : index.to_vector<std::int64_t>())
    TG_CHECK(i >= 0 && i < size, "{}: index {} is out of range for axis {} of size {} (shape {})", op, i, axis, size,
             indexed_shape.str());
}

// out[p] = src[p + index[p] * stride(axis)] over out's shape.
Tensor gather_kernel(const Tensor& x, int axis, const Tensor& index, const Shape& out_shape) {
  Tensor out = empty(out_shape, x.dtype());
  const Tensor src = axis_base(x, out_shape, axis);
  const std::int64_t step = x.strides()[axis] * static_cast<std::int64_t>(dtype_size(x.dtype()));
  dispatch_dtype(x.dtype(), [&](auto t) {
    using T = decltype(t);
    for_each_strided<3>(out_shape, strided_operands<3>(out_shape, {&out, &src, &index}),
                        [step](std::array<char*, 3> p, std::array<std::int64_t, 3> st, std::int64_t n) {
                          for (std::int64_t i = 0; i < n; ++i) {
                            const std::int64_t j = *reinterpret_cast<const std::int64_t*>(p[2] + i * st[2]);
                            *reinterpret_cast<T*>(p[0] + i * st[0]) =
                                *reinterpret_cast<const T*>(p[1] + i * st[1] + j * step);
                          }
                        });
  });
  return out;
}

// A copy of base with source[p] added into base[p + index[p] * stride(axis)], over
// source's shape. Serial: repeated indices add into one element (in a fixed order).
Tensor scatter_add_kernel(const Tensor& base, int axis, const Tensor& index, const Tensor& source) {
  Tensor out = empty(base.shape(), base.dtype());
  copy_elements(out, base);
  const Tensor dst = axis_base(out, source.shape(), axis);
  const std::int64_t step = out.strides()[axis] * static_cast<std::int64_t>(dtype_size(out.dtype()));
  dispatch_dtype(out.dtype(), [&](auto t) {
    using T = decltype(t);
    for_each_strided<3>(
        source.shape(), strided_operands<3>(source.shape(), {&dst, &index, &source}),
        [step](std::array<char*, 3> p, std::array<std::int64_t, 3> st, std::int64_t n) {
          for (std::int64_t i = 0; i < n; ++i) {
            const std::int64_t j = *reinterpret_cast<const std::int64_t*>(p[1] + i * st[1]);
            *reinterpret_cast<T*>(p[0] + i * st[0] + j * step) += *reinterpret_cast<const T*>(p[2] + i * st[2]);
          }
        },
        /*parallel=*/false);
  });
  return out;
}

// The four ops save their integer index (not a differentiable input: the op holds it
// until save moves it into its slot, where backward's unpack checks its version).
// index_select and gather read x at the index; their gradients add g into zeros at the
// same index (index_add, scatter_add), whose gradients read it back.

struct IndexSelect {
  static constexpr const char* name = "index_select";
  static constexpr std::size_t num_saved = 1;
  int axis;
  Tensor indices;
  Shape shape;              // the output's
  Shape input_shape{};      // set by forward
  Tensor forward(const Tensor& x) {
    input_shape = x.shape();
    return gather_kernel(x, axis, spread_indices(indices, shape, axis), shape);
  }
  void save(ops::OpContext& ctx, const Tensor&, const Tensor&) { ctx.save(0, std::exchange(indices, {})); }
  TensorList backward(const ops::OpContext& ctx, const Tensor& g) const {
    return ops::grads(index_add(zeros(input_shape, g.dtype()), axis, ctx.saved(0), g));
  }
};

struct Gather {
  static constexpr const char* name = "gather";
  static constexpr std::size_t num_saved = 1;
  int axis;
  Tensor index;
  Shape input_shape{};  // set by forward
  Tensor forward(const Tensor& x) {
    input_shape = x.shape();
    return gather_kernel(x, axis, index, index.shape());
  }
  void save(ops::OpContext& ctx, const Tensor&, const Tensor&) { ctx.save(0, std::exchange(index, {})); }
  TensorList backward(const ops::OpContext& ctx, const Tensor& g) const {
    return ops::grads(scatter_add(zeros(input_shape, g.dtype()), axis, ctx.saved(0), g));
  }
};

// Inputs: base, source.
struct IndexAdd {
  static constexpr const char* name = "index_add";
  static constexpr std::size_t num_saved = 1;
  int axis;
  Tensor indices;
  Shape source_shape;
  Tensor forward(const Tensor& base, const Tensor& source) const {
    return scatter_add_kernel(base, axis, spread_indices(indices, source_shape, axis), source);
  }
  void save(ops::OpContext& ctx, const Tensor&, const Tensor&, const Tensor&) {
    ctx.save(0, std::exchange(indices, {}));
  }
  TensorList backward(const ops::OpContext& ctx, const Tensor& g) const {
    return ops::grads(ctx.needs_input_grad(0) ? g : Tensor{},
            ctx.needs_input_grad(1) ? index_select(g, axis, ctx.saved(0)) : Tensor{});
  }
};

struct ScatterAdd {
  static constexpr const char* name = "scatter_add";
  static constexpr std::size_t num_saved = 1;
  int axis;
  Tensor index;
  Tensor forward(const Tensor& base, const Tensor& source) const {
    return scatter_add_kernel(base, axis, index, source);
  }
  void save(ops::OpContext& ctx, const Tensor&, const Tensor&, const Tensor&) {
    ctx.save(0, std::exchange(index, {}));
  }
  TensorList backward(const ops::OpContext& ctx, const Tensor& g) const {
    return ops::grads(ctx.needs_input_grad(0) ? g : Tensor{},
                      ctx.needs_input_grad(1) ? gather(g, axis, ctx.saved(0)) : Tensor{});
  }
};

// Checks shared by gather and scatter_add: index of dtype i64 and x's rank, no dim
// larger than x's except along axis.
void check_gather_index(const char* op, const Tensor& x, int axis, const Tensor& index) {
  check_index_dtype(op, index);
  TG_CHECK(index.dim() == x.dim(), "{}: index has {} dims {}, expected {} (the rank of the input {})", op, index.dim(),
           index.shape().str(), x.dim(), x.shape().str());
  for (int d = 0; d < x.dim(); ++d)
    TG_CHECK(d == axis || index.shape()[d] <= x.shape()[d],
             "{}: index of shape {} is larger than the input {} in dim {} (only axis {} may be larger)", op,
             index.shape().str(), x.shape().str(), d, axis);
  check_in_range(op, index, axis, x.shape());
}

void check_indices_1d(const char* op, const Tensor& indices, int axis, const Shape& indexed_shape) {
  check_index_dtype(op, indices);
  TG_CHECK(indices.dim() == 1, "{}: indices must be 1-D, got shape {}", op, indices.shape().str());
  check_in_range(op, indices, axis, indexed_shape);
}

}  // namespace

Tensor index_select(const Tensor& x, std::int64_t axis_in, const Tensor& indices) {
  const int axis = normalize_axis(axis_in, x.dim(), "index_select");
  check_indices_1d("index_select", indices, axis, x.shape());
  Shape shape = x.shape();
  shape[axis] = indices.numel();
  return ops::apply(IndexSelect{axis, indices, shape}, x);
}

Tensor index_add(const Tensor& base, std::int64_t axis_in, const Tensor& indices, const Tensor& source) {
  const int axis = normalize_axis(axis_in, base.dim(), "index_add");
  ops::check_same_dtype("index_add", base, source);
  check_indices_1d("index_add", indices, axis, base.shape());
  Shape expected = base.shape();
  expected[axis] = indices.numel();
  TG_CHECK(source.shape() == expected,
           "index_add: source has shape {}, expected {} (base {} with {} indices along axis {})", source.shape().str(),
           expected.str(), base.shape().str(), indices.numel(), axis);
  return ops::apply(IndexAdd{axis, indices, expected}, base, source);
}

Tensor gather(const Tensor& x, std::int64_t axis_in, const Tensor& index) {
  const int axis = normalize_axis(axis_in, x.dim(), "gather");
  check_gather_index("gather", x, axis, index);
  return ops::apply(Gather{axis, index}, x);
}

Tensor scatter_add(const Tensor& base, std::int64_t axis_in, const Tensor& index, const Tensor& source) {
  const int axis = normalize_axis(axis_in, base.dim(), "scatter_add");
  ops::check_same_dtype("scatter_add", base, source);
  check_gather_index("scatter_add", base, axis, index);
  TG_CHECK(source.shape() == index.shape(), "scatter_add: source has shape {}, expected the index's shape {}",
           source.shape().str(), index.shape().str());
  return ops::apply(ScatterAdd{axis, index}, base, source);
}

// --- op table entries (index inputs are i64: gradcheck passes them through)
namespace {

Tensor ints(std::vector<std::int64_t> v, const Shape& shape) { return from_vector(v, shape); }

OpTableEntry index_entry(const char* name, std::function<Tensor(const std::vector<Tensor>&)> fn,
                         std::function<std::vector<OpSample>(Generator&)> samples) {
  OpTableEntry e;
  e.name = name;
  e.fn = std::move(fn);
  e.samples = std::move(samples);
  return e;
}

// Repeated indices check that gradients accumulate.
const OpRegistration reg_index_select(index_entry(
    "index_select", [](const std::vector<Tensor>& x) { return index_select(x[0], 1, x[1]); },
    [](Generator& g) -> std::vector<OpSample> {
      return {{"[3, 4] axis 1, indices [2, 0, 2]", {sample_normal(g, {3, 4}), ints({2, 0, 2}, {3})}},
              {"[2, 5, 1] axis 1, indices [4]", {sample_normal(g, {2, 5, 1}), ints({4}, {1})}},
              {"[3, 5] transposed view, indices [1, 1, 0, 4]", {sample_normal(g, {5, 3}), ints({1, 1, 0, 4}, {4})}, {0}},
              {"[3, 4] axis 1, no indices", {sample_normal(g, {3, 4}), ints({}, {0})}},
              {"empty [0, 4] axis 1, indices [1]", {sample_normal(g, {0, 4}), ints({1}, {1})}}};
    }));
const OpRegistration reg_index_select_axis0(index_entry(
    "index_select_axis0", [](const std::vector<Tensor>& x) { return index_select(x[0], 0, x[1]); },
    [](Generator& g) -> std::vector<OpSample> {
      return {{"[4, 3] axis 0, indices [3, 3, 1, 0, 2]", {sample_normal(g, {4, 3}), ints({3, 3, 1, 0, 2}, {5})}},
              {"[5] axis 0, indices [0, 4]", {sample_normal(g, {5}), ints({0, 4}, {2})}},
              {"empty [0, 3] axis 0, no indices", {sample_normal(g, {0, 3}), ints({}, {0})}}};
    }));
const OpRegistration reg_index_add(index_entry(
    "index_add", [](const std::vector<Tensor>& x) { return index_add(x[0], 1, x[1], x[2]); },
    [](Generator& g) -> std::vector<OpSample> {
      return {{"[3, 4] axis 1, indices [2, 0, 2]", {sample_normal(g, {3, 4}), ints({2, 0, 2}, {3}), sample_normal(g, {3, 3})}},
              {"[2, 3] axis 1, transposed source", {sample_normal(g, {2, 3}), ints({1, 1}, {2}), sample_normal(g, {2, 2})}, {2}},
              {"[3, 4] axis 1, no indices", {sample_normal(g, {3, 4}), ints({}, {0}), sample_normal(g, {3, 0})}}};
    }));
const OpRegistration reg_gather(index_entry(
    "gather", [](const std::vector<Tensor>& x) { return gather(x[0], 1, x[1]); },
    [](Generator& g) -> std::vector<OpSample> {
      return {{"[3, 4] axis 1, index [3, 2]", {sample_normal(g, {3, 4}), ints({0, 3, 2, 2, 1, 0}, {3, 2})}},
              {"[2, 3] axis 1, index [1, 5] (larger along axis)", {sample_normal(g, {2, 3}), ints({2, 0, 1, 2, 2}, {1, 5})}},
              {"[4, 3] transposed view, index [2, 3]", {sample_normal(g, {3, 4}), ints({0, 1, 2, 2, 0, 1}, {2, 3})}, {0}},
              {"[3, 4] axis 1, empty index [3, 0]", {sample_normal(g, {3, 4}), ints({}, {3, 0})}}};
    }));
const OpRegistration reg_gather_axis0(index_entry(
    "gather_axis0", [](const std::vector<Tensor>& x) { return gather(x[0], 0, x[1]); },
    [](Generator& g) -> std::vector<OpSample> {
      return {{"[3, 2, 2] axis 0, index [2, 2, 1]", {sample_normal(g, {3, 2, 2}), ints({2, 0, 1, 1}, {2, 2, 1})}},
              {"[3, 2, 2] axis 0, empty index [0, 2, 1]", {sample_normal(g, {3, 2, 2}), ints({}, {0, 2, 1})}}};
    }));
const OpRegistration reg_scatter_add(index_entry(
    "scatter_add", [](const std::vector<Tensor>& x) { return scatter_add(x[0], 1, x[1], x[2]); },
    [](Generator& g) -> std::vector<OpSample> {
      return {{"[3, 4] axis 1, index [3, 2]", {sample_normal(g, {3, 4}), ints({0, 3, 2, 2, 1, 0}, {3, 2}), sample_normal(g, {3, 2})}},
              {"[2, 3] axis 1, index [2, 4]", {sample_normal(g, {2, 3}), ints({0, 1, 1, 2, 2, 2, 0, 0}, {2, 4}), sample_normal(g, {2, 4})}},
              {"[2, 3] axis 1, empty index [2, 0]", {sample_normal(g, {2, 3}), ints({}, {2, 0}), sample_normal(g, {2, 0})}}};
    }));

}  // namespace

}  // namespace tg
