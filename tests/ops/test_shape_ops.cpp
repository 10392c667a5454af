// permute, view, broadcast_to, concat, stack, pad and the indexing ops: values, storage
// sharing of views, gradients (also of gradients) and every error message.
#include <doctest/doctest.h>

#include <tapegrad/ops/indexing.hpp>
#include <tapegrad/ops/shape_ops.hpp>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"

using tg::Tensor;

namespace {

Tensor seq(const tg::Shape& shape) {  // 0, 1, 2, ... in f64
  return tg::reshape(tg::arange(0.0, static_cast<double>(shape.numel()), 1.0, tg::f64), shape.to_vector());
}
Tensor ints(std::vector<std::int64_t> v) {
  const auto n = static_cast<std::int64_t>(v.size());
  return tg::from_vector(v, {n});
}
Tensor ints(std::vector<std::int64_t> v, const tg::Shape& s) { return tg::from_vector(v, s); }
std::vector<double> values(const Tensor& t) { return t.to_vector<double>(); }

}  // namespace

TEST_CASE("permute is a view with permuted dims, its gradient permutes back") {
  Tensor x = seq({2, 3, 4}).requires_grad_();
  Tensor y = tg::permute(x, {2, 0, 1});
  CHECK(y.shape() == tg::Shape{4, 2, 3});
  CHECK(y.storage() == x.storage());
  CHECK(y.strides() == tg::Shape{1, 12, 4});
  CHECK(values(y)[1] == 4);  // y[0, 0, 1] = x[0, 1, 0]
  CHECK(tg::permute(x, {-1, 0, 1}).shape() == tg::Shape{4, 2, 3});
  tg::backward(std::vector<Tensor>{y}, std::vector<Tensor>{seq({4, 2, 3})});
  // grad[i, j, k] = g[k, i, j]
  CHECK(values(x.grad()) == values(tg::permute(seq({4, 2, 3}), {1, 2, 0})));

  CHECK_ERROR(tg::permute(x, {0, 0, 1}),
              "permute: [0, 0, 1] is not a permutation of the 3 dims of a tensor of shape [2, 3, 4] (expected each of 0..2 once)");
  CHECK_ERROR(tg::permute(x, {1, 0}), "permute: [1, 0] is not a permutation of the 3 dims");
  CHECK_ERROR(tg::permute(x, {0, 1, 3}), "permute: [0, 1, 3] is not a permutation");
}

TEST_CASE("view shares storage and refuses non-contiguous tensors") {
  const Tensor x = seq({2, 6});
  const Tensor v = tg::view(x, {3, -1});
  CHECK(v.shape() == tg::Shape{3, 4});
  CHECK(v.storage() == x.storage());
  CHECK(values(v) == values(x));
  CHECK_ERROR(tg::view(tg::transpose(x, 0, 1), {12}),
              "view: tensor of shape [6, 2] with strides [1, 6] is not contiguous; use reshape()");
  CHECK(tg::reshape(tg::transpose(x, 0, 1), {12}).shape() == tg::Shape{12});
}

TEST_CASE("broadcast_to is expand: stride-0 view, gradient summed back") {
  Tensor x = seq({3, 1}).requires_grad_();
  Tensor y = tg::broadcast_to(x, {2, 3, 4});
  CHECK(y.storage() == x.storage());
  CHECK(y.strides() == tg::Shape{0, 1, 0});
  tg::sum(y).backward();
  CHECK(values(x.grad()) == std::vector<double>{8, 8, 8});
  CHECK_ERROR(tg::broadcast_to(x, {3, 4, 2}), "expand: cannot expand [3, 1] to [3, 4, 2]");
}

TEST_CASE("concat copies along an axis, its gradient is sliced back") {
  Tensor a = seq({2, 2}).requires_grad_(), b = (seq({2, 1}) + 10.0).detach().requires_grad_();
  Tensor c = tg::concat({a, b}, 1);
  CHECK(c.shape() == tg::Shape{2, 3});
  CHECK(values(c) == std::vector<double>{0, 1, 10, 2, 3, 11});
  CHECK(values(tg::concat({a, a}, 0)) == std::vector<double>{0, 1, 2, 3, 0, 1, 2, 3});
  CHECK(values(tg::concat({tg::transpose(a, 0, 1), b}, -1)) == std::vector<double>{0, 2, 10, 1, 3, 11});
  tg::backward(std::vector<Tensor>{c}, std::vector<Tensor>{seq({2, 3})});
  CHECK(values(a.grad()) == std::vector<double>{0, 1, 3, 4});
  CHECK(values(b.grad()) == std::vector<double>{2, 5});
  // i64 tensors concatenate too.
  CHECK(tg::concat({ints({1, 2}), ints({3})}).to_vector<std::int64_t>() == std::vector<std::int64_t>{1, 2, 3});

  CHECK_ERROR(tg::concat({}, 0), "concat: expected at least one tensor, got an empty list");
  CHECK_ERROR(tg::concat({tg::zeros({2, 2}), tg::zeros({3, 2})}, 1),
              "concat: tensor 1 has shape [3, 2] but tensor 0 has [2, 2]; they must match except along axis 1");
  CHECK_ERROR(tg::concat({tg::zeros({2, 2}), tg::zeros({2})}, 0), "concat: tensor 1 has shape [2] but tensor 0 has [2, 2]");
  CHECK_ERROR(tg::concat({tg::zeros({2}), tg::zeros({2}, tg::f64)}), "concat: tensor 1 has dtype f64 [2] but tensor 0 has f32 [2]");
  CHECK_ERROR(tg::concat({tg::zeros({2})}, 1), "concat: axis 1 is out of range for a tensor with 1 dims");
}

TEST_CASE("stack joins along a new axis") {
  Tensor a = seq({2, 3}).requires_grad_(), b = (seq({2, 3}) * -1.0).detach().requires_grad_();
  Tensor s = tg::stack({a, b}, 1);
  CHECK(s.shape() == tg::Shape{2, 2, 3});
  CHECK(values(s) == std::vector<double>{0, 1, 2, -0.0, -1, -2, 3, 4, 5, -3, -4, -5});
  CHECK(tg::stack({a, b}, -1).shape() == tg::Shape{2, 3, 2});
  CHECK(tg::stack({a}).shape() == tg::Shape{1, 2, 3});
  tg::sum(s * seq({2, 2, 3})).backward();
  CHECK(values(a.grad()) == std::vector<double>{0, 1, 2, 6, 7, 8});
  CHECK(values(b.grad()) == std::vector<double>{3, 4, 5, 9, 10, 11});

  CHECK_ERROR(tg::stack({}), "stack: expected at least one tensor, got an empty list");
  CHECK_ERROR(tg::stack({tg::zeros({2, 3}), tg::zeros({2, 4})}),
              "stack: tensor 1 has shape [2, 4] but tensor 0 has [2, 3]; all must have the same shape");
  CHECK_ERROR(tg::stack({tg::zeros({2}), tg::zeros({2}, tg::f64)}), "stack: tensor 1 has dtype f64 [2] but tensor 0 has f32 [2]");
}

TEST_CASE("pad takes F.pad's order (last dim first), crops with negative padding") {
  const Tensor x = seq({2, 3});
  Tensor p = tg::pad(x, {1, 0, 0, 1}, -1);  // last dim: 1 left, 0 right; first dim: 0 top, 1 bottom
  CHECK(p.shape() == tg::Shape{3, 4});
  CHECK(values(p) == std::vector<double>{-1, 0, 1, 2, -1, 3, 4, 5, -1, -1, -1, -1});
  CHECK(values(tg::pad(x, {-1, 1})) == std::vector<double>{1, 2, 0, 4, 5, 0});
  CHECK(tg::pad(x, {0, 0, -2, 0}).shape() == tg::Shape{0, 3});
  CHECK(values(tg::pad(tg::transpose(x, 0, 1), {0, 1})) == std::vector<double>{0, 3, 0, 1, 4, 0, 2, 5, 0});

  Tensor xg = x.detach().requires_grad_();
  tg::backward(std::vector<Tensor>{tg::pad(xg, {2, -1})}, std::vector<Tensor>{seq({2, 4})});
  CHECK(values(xg.grad()) == std::vector<double>{2, 3, 0, 6, 7, 0});  // the padded-away column gets 0

  CHECK_ERROR(tg::pad(x, {1, 1, 1}), "pad: [1, 1, 1] has 3 entries; expected (left, right) pairs, last dim first");
  CHECK_ERROR(tg::pad(x, {1, 1, 1, 1, 1, 1}), "pad: [1, 1, 1, 1, 1, 1] pads 3 dims, but the tensor of shape [2, 3] has 2");
  CHECK_ERROR(tg::pad(x, {-2, -2}), "pad: padding (-2, -2) crops 4 elements from dim 1 of size 3 (shape [2, 3])");
  CHECK_ERROR(tg::pad(x, {0, 0, -3, 5}), "pad: padding (-3, 5) crops 3 elements from dim 0 of size 2");
}

TEST_CASE("index_select picks along an axis, repeated indices accumulate gradient") {
  Tensor x = seq({3, 4}).requires_grad_();
  Tensor y = tg::index_select(x, 1, ints({3, 0, 3}));
  CHECK(values(y) == std::vector<double>{3, 0, 3, 7, 4, 7, 11, 8, 11});
  CHECK(values(tg::index_select(x, 0, ints({2}))) == std::vector<double>{8, 9, 10, 11});
  CHECK(values(tg::index_select(tg::transpose(x, 0, 1), 0, ints({1}))) == std::vector<double>{1, 5, 9});
  tg::sum(y).backward();
  CHECK(values(x.grad()) == std::vector<double>{1, 0, 0, 2, 1, 0, 0, 2, 1, 0, 0, 2});

  // The gradient is index_add, itself an op: create_graph differentiates through it.
  Tensor w = seq({2, 2}).requires_grad_();
  Tensor e = tg::index_select(w, 0, ints({1, 1, 0}));
  Tensor gw = tg::grad(tg::sum(e * e), std::vector<Tensor>{w}, /*create_graph=*/true)[0];
  CHECK(values(gw) == std::vector<double>{0, 2, 8, 12});  // 2 w * count
  CHECK(gw.requires_grad());
  tg::sum(gw).backward();
  CHECK(values(w.grad()) == std::vector<double>{2, 2, 4, 4});

  CHECK_ERROR(tg::index_select(x, 1, ints({0, 4})), "index_select: index 4 is out of range for axis 1 of size 4 (shape [3, 4])");
  CHECK_ERROR(tg::index_select(x, 0, ints({-1})), "index_select: index -1 is out of range for axis 0 of size 3");
  CHECK_ERROR(tg::index_select(x, 0, tg::zeros({2})), "index_select: indices must be an i64 tensor, got f32 of shape [2]");
  CHECK_ERROR(tg::index_select(x, 0, ints({0, 1}, {1, 2})), "index_select: indices must be 1-D, got shape [1, 2]");
  CHECK_ERROR(tg::index_select(x, 2, ints({0})), "index_select: axis 2 is out of range for a tensor with 2 dims");
}

TEST_CASE("index_add adds rows into a base") {
  Tensor base = tg::zeros({2, 3}, tg::f64).requires_grad_(), src = seq({2, 2}).requires_grad_();
  Tensor y = tg::index_add(base, 1, ints({2, 2}), src);
  CHECK(values(y) == std::vector<double>{0, 0, 1, 0, 0, 5});
  tg::backward(std::vector<Tensor>{y}, std::vector<Tensor>{seq({2, 3})});
  CHECK(values(base.grad()) == values(seq({2, 3})));
  CHECK(values(src.grad()) == std::vector<double>{2, 2, 5, 5});
  CHECK_ERROR(tg::index_add(base, 1, ints({0}), src),
              "index_add: source has shape [2, 2], expected [2, 1] (base [2, 3] with 1 indices along axis 1)");
  CHECK_ERROR(tg::index_add(base, 1, ints({0, 3}), src), "index_add: index 3 is out of range for axis 1 of size 3");
  CHECK_ERROR(tg::index_add(base, 1, ints({0, 1}), tg::zeros({2, 2})), "index_add: dtypes differ: f64 [2, 3] and f32 [2, 2]");
}

TEST_CASE("gather and scatter_add are each other's gradients") {
  Tensor x = seq({2, 3}).requires_grad_();
  const Tensor index = ints({2, 2, 0, 1}, {2, 2});
  Tensor y = tg::gather(x, 1, index);  // y[i][j] = x[i][index[i][j]]
  CHECK(values(y) == std::vector<double>{2, 2, 3, 4});
  CHECK(values(tg::gather(x, 0, ints({1, 0, 1}, {1, 3}))) == std::vector<double>{3, 1, 5});
  CHECK(values(tg::gather(tg::transpose(x, 0, 1), 0, ints({2, 0}, {1, 2}))) == std::vector<double>{2, 3});
  tg::backward(std::vector<Tensor>{y}, std::vector<Tensor>{seq({2, 2})});
  CHECK(values(x.grad()) == std::vector<double>{0, 0, 1, 2, 3, 0});

  Tensor base = tg::ones({2, 3}, tg::f64);
  Tensor s = tg::scatter_add(base, 1, index, seq({2, 2}));
  CHECK(values(s) == std::vector<double>{1, 1, 2, 3, 4, 1});

  CHECK_ERROR(tg::gather(x, 1, ints({0, 3}, {1, 2})), "gather: index 3 is out of range for axis 1 of size 3 (shape [2, 3])");
  CHECK_ERROR(tg::gather(x, 1, ints({0, 1})), "gather: index has 1 dims [2], expected 2 (the rank of the input [2, 3])");
  CHECK_ERROR(tg::gather(x, 1, ints({0, 0, 0}, {3, 1})),
              "gather: index of shape [3, 1] is larger than the input [2, 3] in dim 0 (only axis 1 may be larger)");
  CHECK_ERROR(tg::gather(x, 1, tg::zeros({2, 2})), "gather: indices must be an i64 tensor, got f32 of shape [2, 2]");
  CHECK_ERROR(tg::scatter_add(base, 1, index, seq({2, 3})), "scatter_add: source has shape [2, 3], expected the index's shape [2, 2]");
  CHECK_ERROR(tg::scatter_add(base, 1, ints({5, 0, 0, 0}, {2, 2}), seq({2, 2})),
              "scatter_add: index 5 is out of range for axis 1 of size 3");
}

TEST_CASE("saved indices modified in place are caught") {
  Tensor x = seq({3}).requires_grad_();
  Tensor idx = ints({0, 2});
  Tensor y = tg::index_select(x, 0, idx);
  idx.fill_(1);
  CHECK_ERROR(tg::sum(y).backward(), "modified in place");
}
