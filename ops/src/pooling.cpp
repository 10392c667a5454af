// Max and average pooling over [N, C, H, W]. The kernels (f32 on oneDNN's pooling
// primitive, f64 and small f32 on reference loops) are in kernels/pooling.hpp.
//
// Backward rules are ops of their own, so create_graph works:
//   max_pool2d   -> max_pool2d_backward (scatter to the maxima; oneDNN uses the
//                   workspace its training forward kept) -> select (gather at the
//                   maxima) -> scatter ...
//   avg_pool2d   -> avg_pool2d_backward (spread over windows) -> avg_pool2d -> ...
#include "kernels/pooling.hpp"
#include "op_pattern.hpp"
#include "pool_index.hpp"
#include "pool_windows.hpp"
#include "tapegrad/ops/op_table.hpp"
#include "tapegrad/ops/pooling.hpp"
#include "tapegrad/ops/reduce.hpp"

namespace tg {

namespace {

using kernels::PoolGeometry;

constexpr ops::IndexOpNames kMaxPoolNames{"max_pool2d_backward", "max_pool2d_select"};

PoolGeometry pool_geometry(const char* op, const Tensor& x, Size2d k, Size2d s, Size2d p) {
  ops::check_pool_input(op, x);
  ops::check_pool_window(op, k, s, p);
  const std::int64_t H = x.size(2), W = x.size(3);
  TG_CHECK(k.h <= H + 2 * p.h && k.w <= W + 2 * p.w,
           "{}: kernel ({}, {}) is larger than the padded input ({}, {}) (input {}, padding ({}, {}))", op, k.h, k.w,
           H + 2 * p.h, W + 2 * p.w, x.shape().str(), p.h, p.w);
  PoolGeometry g;
  g.n = x.size(0), g.c = x.size(1), g.h = H, g.w = W;
  g.kh = k.h, g.kw = k.w, g.sh = s.h, g.sw = s.w, g.ph = p.h, g.pw = p.w;
  g.oh = (H + 2 * p.h - k.h) / s.h + 1;
  g.ow = (W + 2 * p.w - k.w) / s.w + 1;
  return g;
}

Shape output_shape(const PoolGeometry& g) { return {g.n, g.c, g.oh, g.ow}; }
Shape input_shape(const PoolGeometry& g) { return {g.n, g.c, g.h, g.w}; }

// The gradient of max pooling for g: routed through what the forward recorded (oneDNN's
// workspace, the 2x2 positions) when it can, else a scatter to precomputed (or
// recomputed) maxima.
Tensor max_pool_backward_op(const Tensor& g, const Tensor& x, const PoolGeometry& geometry,
                            const kernels::MaxPoolSaved& saved) {
  if (kernels::max_pool_has_record(saved, g.dtype())) {
    Tensor dx = empty(input_shape(geometry), g.dtype());
    kernels::max_pool_backward_recorded(geometry, g, saved, dx);
    // Differentiating the gradient (create_graph) needs the maxima explicitly.
    const Tensor maxima = any_requires_grad({&g}) ? kernels::max_pool_argmax(geometry, x) : Tensor{};
    return ops::index_scatter(g, maxima, input_shape(geometry), kMaxPoolNames, std::move(dx));
  }
  const Tensor indices = saved.indices.defined() ? saved.indices : kernels::max_pool_argmax(geometry, x);
  return ops::index_scatter(g, indices, input_shape(geometry), kMaxPoolNames);
}

struct MaxPool {
  static constexpr const char* name = "max_pool2d";
  static constexpr std::size_t num_saved = 1;  // x, for the maxima when the gradient is differentiated
  PoolGeometry geometry;
  kernels::MaxPoolSaved recorded{};  // kept by forward when recording
  Tensor forward(const Tensor& x) {
    Tensor y = empty(output_shape(geometry), x.dtype());
    recorded = kernels::max_pool_forward(geometry, x, y, any_requires_grad({&x}));
    return y;
  }
  void save(ops::OpContext& ctx, const Tensor& x, const Tensor&) const { ctx.save(0, x); }
  TensorList backward(const ops::OpContext& ctx, const Tensor& g) const {
    return ops::grads(max_pool_backward_op(g, ctx.saved(0), geometry, recorded));
  }
  void release() { recorded = {}; }
};

// --- average pooling: forward and backward are adjoint linear maps, so each one's
// gradient is the other.
Tensor avg_pool_forward(const Tensor& x, const PoolGeometry& g, bool include_pad);
Tensor avg_pool_backward(const Tensor& dy, const PoolGeometry& g, bool include_pad);

struct AvgPool {
  static constexpr const char* name = "avg_pool2d";
  PoolGeometry geometry;
  bool include_pad;
  Tensor forward(const Tensor& x) const {
    Tensor y = empty(output_shape(geometry), x.dtype());
    kernels::avg_pool_forward(geometry, include_pad, x, y);
    return y;
  }
  TensorList backward(const ops::OpContext&, const Tensor& g) const {
    return ops::grads(avg_pool_backward(g, geometry, include_pad));
  }
};

struct AvgPoolBackward {
  static constexpr const char* name = "avg_pool2d_backward";
  PoolGeometry geometry;
  bool include_pad;
  Tensor forward(const Tensor& dy) const { return kernels::avg_pool_backward(geometry, include_pad, dy); }
  TensorList backward(const ops::OpContext&, const Tensor& g) const {
    return ops::grads(avg_pool_forward(g, geometry, include_pad));
  }
};

Tensor avg_pool_forward(const Tensor& x, const PoolGeometry& g, bool include_pad) {
  return ops::apply(AvgPool{g, include_pad}, x);
}

Tensor avg_pool_backward(const Tensor& dy, const PoolGeometry& g, bool include_pad) {
  return ops::apply(AvgPoolBackward{g, include_pad}, dy);
}

}  // namespace

Tensor max_pool2d(const Tensor& x, Size2d kernel) { return max_pool2d(x, kernel, kernel, 0); }

Tensor max_pool2d(const Tensor& x, Size2d kernel, Size2d stride, Size2d padding, Size2d dilation, bool ceil_mode) {
  // Dilated and ceil-mode windows run on the index path (max_pool_indices.cpp).
  if (!(dilation == Size2d(1)) || ceil_mode)
    return max_pool2d_with_indices(x, kernel, stride, padding, dilation, ceil_mode).values;
  const PoolGeometry g = pool_geometry("max_pool2d", x, kernel, stride, padding);
  return ops::apply(MaxPool{g}, x);
}

Tensor max_pool2d_backward(const Tensor& grad_output, const Tensor& input, Size2d kernel, Size2d stride,
                           Size2d padding) {
  const PoolGeometry g = pool_geometry("max_pool2d_backward", input, kernel, stride, padding);
  ops::check_same_dtype("max_pool2d_backward", grad_output, input);
  TG_CHECK(grad_output.shape() == output_shape(g),
           "max_pool2d_backward: grad_output has shape {}, expected the pooling's output shape {}",
           grad_output.shape().str(), output_shape(g).str());
  // oneDNN's backward needs the workspace of a training forward; the loops, the maxima.
  Tensor y = empty(output_shape(g), input.dtype());
  return max_pool_backward_op(grad_output, input, g, kernels::max_pool_forward(g, input, y, true));
}

Tensor avg_pool2d(const Tensor& x, Size2d kernel) { return avg_pool2d(x, kernel, kernel, 0, true); }

Tensor avg_pool2d(const Tensor& x, Size2d kernel, Size2d stride, Size2d padding, bool count_include_pad) {
  return avg_pool_forward(x, pool_geometry("avg_pool2d", x, kernel, stride, padding), count_include_pad);
}

Tensor global_avg_pool2d(const Tensor& x) {
  ops::check_floating("global_avg_pool2d", x);
  TG_CHECK(x.dim() == 4, "global_avg_pool2d: input has {} dims {}, expected 4 (N, C, H, W)", x.dim(), x.shape().str());
  return mean(x, {2, 3}, /*keepdim=*/true);
}

// --- op table entries
namespace {

// Pooling parameters travel as an i64 input (gradcheck passes integer inputs through):
// kh, kw, sh, sw, ph, pw[, count_include_pad].
Tensor params(std::vector<std::int64_t> values) {
  return from_vector(values, Shape{static_cast<std::int64_t>(values.size())});
}

struct PoolParams {
  Size2d kernel, stride, padding;
  bool include_pad = true;
};

PoolParams read_params(const Tensor& t) {
  const auto v = t.to_vector<std::int64_t>();
  PoolParams p{{v[0], v[1]}, {v[2], v[3]}, {v[4], v[5]}};
  if (v.size() > 6) p.include_pad = v[6] != 0;
  return p;
}

OpTableEntry max_pool_entry() {
  OpTableEntry e;
  e.name = "max_pool2d";
  e.fn = [](const std::vector<Tensor>& x) {
    const PoolParams p = read_params(x[1]);
    return max_pool2d(x[0], p.kernel, p.stride, p.padding);
  };
  // Distinct values: no ties, so no kink is crossed.
  e.samples = [](Generator& g) -> std::vector<OpSample> {
    using ops::sample_distinct;
    return {
        {"[2, 2, 4, 4] k2", {sample_distinct(g, {2, 2, 4, 4}), params({2, 2, 2, 2, 0, 0})}},
        {"[1, 2, 5, 7] k3 s2 (overlapping, odd)", {sample_distinct(g, {1, 2, 5, 7}), params({3, 3, 2, 2, 0, 0})}},
        {"[1, 2, 5, 5] k3 s1 p1", {sample_distinct(g, {1, 2, 5, 5}), params({3, 3, 1, 1, 1, 1})}},
        {"[2, 1, 6, 5] k(2, 3) s(2, 1) p(1, 1)", {sample_distinct(g, {2, 1, 6, 5}), params({2, 3, 2, 1, 1, 1})}},
        {"[1, 1, 3, 3] k3 (one window)", {sample_distinct(g, {1, 1, 3, 3}), params({3, 3, 1, 1, 0, 0})}},
        {"transposed view [1, 2, 6, 5] k2 s2 p1", {sample_distinct(g, {1, 2, 5, 6}), params({2, 2, 2, 2, 1, 1})}, {0}},
        {"empty batch [0, 2, 4, 4] k2", {sample_distinct(g, {0, 2, 4, 4}), params({2, 2, 2, 2, 0, 0})}},
        {"no channels [2, 0, 4, 4] k2", {sample_distinct(g, {2, 0, 4, 4}), params({2, 2, 2, 2, 0, 0})}},
        {"empty image [1, 2, 0, 4] k2", {sample_distinct(g, {1, 2, 0, 4}), params({2, 2, 2, 2, 0, 0})}, {},
         "is larger than the padded input"},
    };
  };
  e.large_samples = [](Generator& g) -> std::vector<OpSample> {
    return {{"[64, 32, 28, 28] k2", {sample_normal(g, {64, 32, 28, 28}), params({2, 2, 2, 2, 0, 0})}},
            {"[8, 16, 15, 15] k3 s2 p1", {sample_normal(g, {8, 16, 15, 15}), params({3, 3, 2, 2, 1, 1})}},
            {"empty batch [0, 32, 28, 28] k2", {sample_normal(g, {0, 32, 28, 28}), params({2, 2, 2, 2, 0, 0})}}};
  };
  e.has_kinks = true;
  return e;
}
const OpRegistration reg_max_pool(max_pool_entry());

OpTableEntry max_pool_backward_entry() {
  OpTableEntry e;
  e.name = "max_pool2d_backward";
  // Inputs: the incoming gradient, the pooled input (its gradient is zero), params.
  e.allow_unused = true;
  e.fn = [](const std::vector<Tensor>& x) {
    const PoolParams p = read_params(x[2]);
    return max_pool2d_backward(x[0], x[1], p.kernel, p.stride, p.padding);
  };
  e.samples = [](Generator& g) -> std::vector<OpSample> {
    return {
        {"[1, 2, 5, 7] k3 s2",
         {sample_normal(g, {1, 2, 2, 3}), ops::sample_distinct(g, {1, 2, 5, 7}), params({3, 3, 2, 2, 0, 0})}},
        {"[2, 1, 4, 4] k2 s1 p1",
         {sample_normal(g, {2, 1, 5, 5}), ops::sample_distinct(g, {2, 1, 4, 4}), params({2, 2, 1, 1, 1, 1})}},
        {"empty batch [0, 2, 5, 7] k3 s2",
         {sample_normal(g, {0, 2, 2, 3}), ops::sample_distinct(g, {0, 2, 5, 7}), params({3, 3, 2, 2, 0, 0})}},
    };
  };
  e.large_samples = [](Generator& g) -> std::vector<OpSample> {
    return {
        {"[16, 32, 28, 28] k2",
         {sample_normal(g, {16, 32, 14, 14}), ops::sample_distinct(g, {16, 32, 28, 28}), params({2, 2, 2, 2, 0, 0})}},
        {"empty batch [0, 32, 28, 28] k2",
         {sample_normal(g, {0, 32, 14, 14}), ops::sample_distinct(g, {0, 32, 28, 28}), params({2, 2, 2, 2, 0, 0})}}};
  };
  e.has_kinks = true;
  return e;
}
const OpRegistration reg_max_pool_backward(max_pool_backward_entry());

OpTableEntry avg_pool_entry() {
  OpTableEntry e;
  e.name = "avg_pool2d";
  e.fn = [](const std::vector<Tensor>& x) {
    const PoolParams p = read_params(x[1]);
    return avg_pool2d(x[0], p.kernel, p.stride, p.padding, p.include_pad);
  };
  e.samples = [](Generator& g) -> std::vector<OpSample> {
    return {
        {"[2, 2, 4, 4] k2", {sample_normal(g, {2, 2, 4, 4}), params({2, 2, 2, 2, 0, 0, 1})}},
        {"[1, 2, 5, 7] k3 s2 (overlapping, odd)", {sample_normal(g, {1, 2, 5, 7}), params({3, 3, 2, 2, 0, 0, 1})}},
        {"[1, 2, 5, 5] k3 s2 p1 count_include_pad", {sample_normal(g, {1, 2, 5, 5}), params({3, 3, 2, 2, 1, 1, 1})}},
        {"[1, 2, 5, 5] k3 s2 p1 exclude pad", {sample_normal(g, {1, 2, 5, 5}), params({3, 3, 2, 2, 1, 1, 0})}},
        {"[2, 1, 6, 5] k(2, 3) s(1, 2) p(1, 1) exclude pad",
         {sample_normal(g, {2, 1, 6, 5}), params({2, 3, 1, 2, 1, 1, 0})}},
        {"transposed view [1, 2, 6, 5] k2 s1 p1", {sample_normal(g, {1, 2, 5, 6}), params({2, 2, 1, 1, 1, 1, 1})}, {0}},
        {"empty batch [0, 2, 4, 4] k2", {sample_normal(g, {0, 2, 4, 4}), params({2, 2, 2, 2, 0, 0, 1})}},
    };
  };
  e.large_samples = [](Generator& g) -> std::vector<OpSample> {
    return {
        {"[64, 32, 28, 28] k2", {sample_normal(g, {64, 32, 28, 28}), params({2, 2, 2, 2, 0, 0, 1})}},
        {"[8, 16, 15, 15] k3 s2 p1 include pad", {sample_normal(g, {8, 16, 15, 15}), params({3, 3, 2, 2, 1, 1, 1})}},
        {"[8, 16, 15, 15] k3 s2 p1 exclude pad", {sample_normal(g, {8, 16, 15, 15}), params({3, 3, 2, 2, 1, 1, 0})}},
        {"empty batch [0, 32, 28, 28] k2", {sample_normal(g, {0, 32, 28, 28}), params({2, 2, 2, 2, 0, 0, 1})}}};
  };
  return e;
}
const OpRegistration reg_avg_pool(avg_pool_entry());

OpTableEntry global_avg_pool_entry() {
  OpTableEntry e;
  e.name = "global_avg_pool2d";
  e.fn = [](const std::vector<Tensor>& x) { return global_avg_pool2d(x[0]); };
  e.samples = [](Generator& g) -> std::vector<OpSample> {
    return {{"[2, 3, 4, 5]", {sample_normal(g, {2, 3, 4, 5})}},
            {"[2, 2, 1, 1]", {sample_normal(g, {2, 2, 1, 1})}},
            {"transposed view [1, 2, 3, 5]", {sample_normal(g, {1, 2, 5, 3})}, {0}},
            {"empty batch [0, 3, 4, 5]", {sample_normal(g, {0, 3, 4, 5})}}};
  };
  e.large_samples = [](Generator& g) -> std::vector<OpSample> {
    return {{"[64, 64, 7, 7]", {sample_normal(g, {64, 64, 7, 7})}}, {"empty batch [0, 64, 7, 7]", {sample_normal(g, {0, 64, 7, 7})}}};
  };
  return e;
}
const OpRegistration reg_global_avg_pool(global_avg_pool_entry());

}  // namespace

}  // namespace tg
