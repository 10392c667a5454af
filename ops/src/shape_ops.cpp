// permute, view and broadcast_to (views sharing storage) and constant pad (a copy).
// Backward: permute by the inverse permutation; pad by the negated padding (which
// crops the gradient), so both gradients are differentiable ops again.
#include <string>

#include "op_pattern.hpp"
#include "tapegrad/ops/op_table.hpp"
#include "tapegrad/ops/shape_ops.hpp"
#include "tapegrad/ops/views.hpp"
#include "tapegrad/tensor_iteration.hpp"

namespace tg {

namespace {

std::string list_str(const std::vector<std::int64_t>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

// Takes the permuted shape and strides (permute checks the dims); inverse is the
// inverse permutation.
struct Permute {
  static constexpr const char* name = "permute";
  Shape shape, strides;
  std::vector<std::int64_t> inverse;
  Tensor forward(const Tensor& x) const { return make_view(x, shape, strides, x.offset()); }
  TensorList backward(const ops::OpContext&, const Tensor& g) const { return ops::grads(permute(g, inverse)); }
};

// t restricted to the box [start, start + extent) (a view).
Tensor box(const Tensor& t, const Shape& start, const Shape& extent) {
  std::int64_t offset = t.offset();
  for (int d = 0; d < t.dim(); ++d) offset += start[d] * t.strides()[d];
  return make_view(t, extent, t.strides(), offset);
}

}  // namespace

Tensor permute(const Tensor& x, const std::vector<std::int64_t>& dims) {
  const int rank = x.dim();
  std::vector<std::int64_t> inverse(static_cast<std::size_t>(rank), -1);
  bool valid = static_cast<int>(dims.size()) == rank;
  for (std::size_t i = 0; valid && i < dims.size(); ++i) {
    const std::int64_t d = dims[i] < 0 ? dims[i] + rank : dims[i];
    valid = d >= 0 && d < rank && inverse[static_cast<std::size_t>(d)] < 0;
    if (valid) inverse[static_cast<std::size_t>(d)] = static_cast<std::int64_t>(i);
  }
  TG_CHECK(valid, "permute: {} is not a permutation of the {} dims of a tensor of shape {} (expected each of 0..{} once)",
           list_str(dims), rank, x.shape().str(), rank - 1);
  Shape shape, strides;
  for (std::int64_t dim : dims) {
    const int d = static_cast<int>(dim < 0 ? dim + rank : dim);
    shape.push_back(x.shape()[d]);
    strides.push_back(x.strides()[d]);
  }
  return ops::apply(Permute{shape, strides, std::move(inverse)}, x);
}

Tensor view(const Tensor& x, const std::vector<std::int64_t>& shape) {
  TG_CHECK(x.is_contiguous(), "view: tensor of shape {} with strides {} is not contiguous; use reshape()",
           x.shape().str(), x.strides().str());
  return reshape(x, shape);
}

Tensor broadcast_to(const Tensor& x, const Shape& shape) { return expand(x, shape); }

namespace {

// Constant padding (negative pads crop); its gradient crops by the negated pads.
struct Pad {
  static constexpr const char* name = "pad";
  std::vector<std::int64_t> pads;
  double value;
  Tensor forward(const Tensor& x) const;
  TensorList backward(const ops::OpContext&, const Tensor& g) const {
    std::vector<std::int64_t> crop(pads.size());
    for (std::size_t i = 0; i < pads.size(); ++i) crop[i] = -pads[i];
    return ops::grads(pad(g, crop, 0.0));
  }
};

}  // namespace

Tensor pad(const Tensor& x, const std::vector<std::int64_t>& pads, double value) {
  return ops::apply(Pad{pads, value}, x);
}

Tensor Pad::forward(const Tensor& x) const {
  TG_CHECK(pads.size() % 2 == 0, "pad: {} has {} entries; expected (left, right) pairs, last dim first",
           list_str(pads), pads.size());
  TG_CHECK(static_cast<int>(pads.size() / 2) <= x.dim(),
           "pad: {} pads {} dims, but the tensor of shape {} has {}", list_str(pads), pads.size() / 2,
           x.shape().str(), x.dim());
  // The part of x that is kept (src) and where it lands in the result (dst).
  Shape out_shape = x.shape(), src_start, dst_start, extent = x.shape();
  src_start.resize(x.dim());
  dst_start.resize(x.dim());
  for (std::size_t k = 0; k < pads.size() / 2; ++k) {
    const int d = x.dim() - 1 - static_cast<int>(k);
    const std::int64_t left = pads[2 * k], right = pads[2 * k + 1], size = x.shape()[d];
    const std::int64_t crop = std::max<std::int64_t>(0, -left) + std::max<std::int64_t>(0, -right);
    TG_CHECK(crop <= size, "pad: padding ({}, {}) crops {} elements from dim {} of size {} (shape {})", left, right,
             crop, d, size, x.shape().str());
    out_shape[d] = size + left + right;
    src_start[d] = std::max<std::int64_t>(0, -left);
    dst_start[d] = std::max<std::int64_t>(0, left);
    extent[d] = size - crop;
  }
  Tensor out = full(out_shape, value, x.dtype());
  copy_elements(box(out, dst_start, extent), box(x, src_start, extent));
  return out;
}

// --- op table entries
namespace {

OpTableEntry shape_entry(const char* name, std::function<Tensor(const Tensor&)> fn,
                         std::vector<std::pair<Shape, bool>> shapes) {
  OpTableEntry e;
  e.name = name;
  e.fn = [fn](const std::vector<Tensor>& x) { return fn(x[0]); };
  e.samples = [shapes](Generator& g) {
    std::vector<OpSample> s;
    for (const auto& [shape, transposed] : shapes) {
      if (transposed) {
        s.push_back({shape.str() + " transposed view", {sample_normal(g, shape)}, {0}});
      } else if (shape.numel() == 0) {
        s.push_back({"empty " + shape.str(), {sample_normal(g, shape)}});
      } else {
        s.push_back({shape.str(), {sample_normal(g, shape)}});
      }
    }
    return s;
  };
  return e;
}

const OpRegistration reg_permute(shape_entry(
    "permute", [](const Tensor& x) { return permute(x, {2, 0, 1}); },
    {{{2, 3, 4}, false}, {{1, 5, 3}, true}, {{2, 0, 4}, false}}));
const OpRegistration reg_view(shape_entry(
    "view", [](const Tensor& x) { return view(x, {-1, 2}); }, {{{3, 4}, false}, {{2, 1, 3}, false}, {{0, 4}, false}}));
const OpRegistration reg_broadcast_to(shape_entry(
    "broadcast_to", [](const Tensor& x) { return broadcast_to(x, {2, x.size(0), 4}); },
    {{{3, 1}, false}, {{1, 4}, false}, {{0, 1}, false}}));
// Positive, negative (cropping) and zero padding; the transposed view is [4, 5].
const OpRegistration reg_pad(shape_entry(
    "pad", [](const Tensor& x) { return pad(x, {1, 2, -1, 0}, 0.5); },
    {{{3, 4}, false}, {{2, 2, 3}, false}, {{5, 4}, true}, {{3, 0}, false}}));
const OpRegistration reg_pad_crop(shape_entry(
    "pad_crop", [](const Tensor& x) { return pad(x, {-1, -2}); },
    {{{2, 5}, false}, {{4}, false}, {{6, 3}, true}, {{0, 5}, false}}));

}  // namespace

}  // namespace tg
