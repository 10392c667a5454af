// Every user mistake named in the foundation issue throws tg::Error with a message
// naming the op and the offending shapes or dtypes.
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"

using tg::Tensor;

TEST_CASE("shape mismatches name the op and both shapes") {
  CHECK_ERROR(tg::matmul(tg::zeros({64, 784}), tg::zeros({780, 10})),
              "matmul: inner dimensions differ: [64, 784] x [780, 10]");
  CHECK_ERROR(tg::zeros({2, 3}) + tg::zeros({4}), "add: shapes [2, 3] and [4] cannot be broadcast");
  CHECK_ERROR(tg::zeros({2, 3}) * tg::zeros({3, 2}), "mul: shapes [2, 3] and [3, 2] cannot be broadcast");
  CHECK_ERROR(tg::reshape(tg::zeros({2, 3}), {4, 2}), "reshape: cannot reshape [2, 3] (6 elements) into [4, 2]");
  CHECK_ERROR(tg::sum(tg::zeros({2, 3}), {2}), "sum: axis 2 is out of range for a tensor with 2 dims");
  CHECK_ERROR(tg::matmul(tg::zeros({2, 3, 4}), tg::zeros({5, 4, 2})), "matmul (batch dims): shapes [2] and [5]");
  CHECK_ERROR(tg::expand(tg::zeros({3, 2}), {3, 4}), "expand: cannot expand [3, 2] to [3, 4]");
  CHECK_ERROR(tg::from_vector(std::vector<float>{1, 2, 3}, {2, 2}), "from_vector: 3 values given for shape [2, 2]");
}

TEST_CASE("mixing dtypes is an error naming both") {
  CHECK_ERROR(tg::zeros({2}) + tg::zeros({2}, tg::f64), "add: dtypes differ: f32 [2] and f64 [2]");
  CHECK_ERROR(tg::matmul(tg::zeros({2, 2}, tg::f64), tg::zeros({2, 2})), "matmul: dtypes differ: f64 [2, 2] and f32 [2, 2]");
  CHECK_ERROR(tg::exp(tg::arange(3)), "exp: expected a floating tensor (f32 or f64), got i64 of shape [3]");
}

TEST_CASE("i64 tensors cannot require grad") {
  Tensor labels = tg::arange(4);
  CHECK_ERROR(labels.requires_grad_(), "requires_grad: a tensor of dtype i64 cannot require gradients");
}

TEST_CASE("backward on a non-scalar without a gradient") {
  Tensor x = tg::ones({3}).requires_grad_();
  CHECK_ERROR((x * 2.0).backward(), "backward: output of shape [3] is not a scalar");
}

TEST_CASE("backward with a gradient of the wrong shape") {
  Tensor x = tg::ones({3}).requires_grad_();
  CHECK_ERROR((x * 2.0).backward(tg::ones({2})), "backward: the output has shape [3] and dtype f32, but the gradient has shape [2]");
}

TEST_CASE("backward twice without retain_graph") {
  Tensor x = tg::ones({2}).requires_grad_();
  Tensor y = tg::sum(x * x);
  y.backward();
  CHECK_ERROR(y.backward(), "backward through the graph a second time");
}

TEST_CASE("backward on a tensor that does not require grad") {
  CHECK_ERROR(tg::sum(tg::ones({2})).backward(), "backward: output 0 (shape []) does not require grad");
}

TEST_CASE("reading .grad() of a non-leaf") {
  Tensor x = tg::ones({2}).requires_grad_();
  Tensor y = x * 2.0;
  tg::sum(y).backward();
  CHECK_ERROR((void)y.grad(), "grad: this tensor is not a leaf (it was made by mul)");
}

TEST_CASE("a saved tensor modified in place is caught at backward, naming the op") {
  Tensor a = tg::ones({2}).requires_grad_();
  Tensor b = tg::full({2}, 3.0);
  Tensor y = tg::sum(a * b);
  b.fill_(5.0);
  CHECK_ERROR(y.backward(), "a tensor saved by mul was modified in place after it was saved");
  Tensor x = tg::ones({2}).requires_grad_();
  Tensor e = tg::exp(x);
  Tensor z = tg::sum(e);
  {
    tg::NoGradGuard no_grad;
    e.fill_(0.0);
  }
  CHECK_ERROR(z.backward(), "a tensor saved by exp was modified in place");
}

TEST_CASE("tg::grad of an unused input") {
  Tensor x = tg::ones({2}).requires_grad_(), unused = tg::ones({2}).requires_grad_();
  Tensor y = tg::sum(x * 2.0);
  CHECK_ERROR(tg::grad(y, std::vector<Tensor>{unused}), "grad: input 0 (shape [2]) was not used");
}

TEST_CASE("item() of a tensor with several elements, undefined tensors") {
  CHECK_ERROR((void)tg::zeros({2}).item(), "item: tensor of shape [2] has 2 elements, expected 1");
  CHECK_ERROR((void)Tensor{}.shape(), "tensor: use of an undefined tensor");
}

TEST_CASE("gradcheck options are validated") {
  tg::GradcheckOptions o;
  o.eps = 0;
  CHECK_ERROR(tg::gradcheck([](const std::vector<Tensor>& x) { return x[0]; }, {tg::ones({1}, tg::f64)}, o),
              "gradcheck: eps must be finite and in (0, 0.1], got 0");
}
