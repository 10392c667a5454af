// Tensor methods: each is the free function of the same name (ops/src/tensor_methods.cpp),
// so the values below are those of tg::sum, tg::reshape, ... on the same input.
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.hpp>

#include <cstdint>
#include <vector>

#include "check_error.hpp"

using tg::Shape;
using tg::Tensor;

namespace {

// [[1, -2, 3], [-4, 5, -6]]
Tensor sample() { return tg::from_vector(std::vector<double>{1, -2, 3, -4, 5, -6}, {2, 3}); }
std::vector<double> values(const Tensor& t) { return t.to_vector<double>(); }
std::vector<std::int64_t> ints(const Tensor& t) { return t.to_vector<std::int64_t>(); }

}  // namespace

TEST_CASE("reduction methods sum, mean, max, min over all or over dims") {
  const Tensor x = sample();
  CHECK(x.sum().item() == -3);
  CHECK(x.sum().dim() == 0);
  CHECK(values(x.sum(1)) == std::vector<double>{2, -5});
  CHECK(x.sum(0, true).shape() == Shape{1, 3});
  CHECK(values(x.sum(0, true)) == std::vector<double>{-3, 3, -3});
  CHECK(x.sum({0, 1}).item() == -3);
  CHECK(values(x.sum(-1)) == std::vector<double>{2, -5});
  CHECK(values(x.sum(std::size_t{1})) == std::vector<double>{2, -5});  // any integral dim
  CHECK(x.mean().item() == -0.5);
  CHECK(x.mean(1).to_vector<double>()[0] == doctest::Approx(2.0 / 3));
  CHECK(x.mean(1).to_vector<double>()[1] == doctest::Approx(-5.0 / 3));
  CHECK(x.max().item() == 5);
  CHECK(x.min().item() == -6);
  CHECK(values(x.max(1)) == std::vector<double>{3, 5});
  CHECK(values(x.min(0)) == std::vector<double>{-4, -2, -6});
  CHECK(x.max(1, true).shape() == Shape{2, 1});
  CHECK(x.argmax().item() == 4);  // flat index of 5
  CHECK(x.argmin().item() == 5);
  CHECK(ints(x.argmax(1)) == std::vector<std::int64_t>{2, 1});
  CHECK(ints(x.argmin(1)) == std::vector<std::int64_t>{1, 2});
  // The free functions take one integral dim as well.
  CHECK(values(tg::sum(x, 1)) == std::vector<double>{2, -5});
  CHECK(values(tg::max(x, 0)) == std::vector<double>{1, 5, 3});
  CHECK(values(tg::min(x, -1, true)) == std::vector<double>{-2, -6});
  CHECK(tg::mean(x, 0).shape() == Shape{3});
  CHECK_ERROR(x.sum({}), "sum: empty axis list");  // a braced list is a dim list, never dim 0
  CHECK_ERROR(x.sum(2), "sum: axis 2 is out of range for a tensor with 2 dims");
}

TEST_CASE("shape methods reshape, view, t, transpose, permute, flatten, squeeze, unsqueeze, expand") {
  const Tensor x = sample();
  CHECK(x.reshape({3, -1}).shape() == Shape{3, 2});
  CHECK(values(x.reshape({3, -1})) == values(x));
  CHECK(x.view({6}).shape() == Shape{6});
  CHECK(x.view({6}).storage() == x.storage());
  const std::vector<double> transposed{1, -4, -2, 5, 3, -6};
  CHECK(x.t().shape() == Shape{3, 2});
  CHECK(values(x.t()) == transposed);
  CHECK(values(x.transpose(0, 1)) == transposed);
  CHECK(values(x.transpose(-1, -2)) == transposed);
  CHECK(values(x.permute({1, 0})) == transposed);
  CHECK(x.flatten().shape() == Shape{6});
  CHECK(x.unsqueeze(0).shape() == Shape{1, 2, 3});
  CHECK(x.unsqueeze(-1).shape() == Shape{2, 3, 1});
  CHECK(x.unsqueeze(1).squeeze(1).shape() == Shape{2, 3});
  CHECK(tg::ones({1, 3}).expand({2, 3}).shape() == Shape{2, 3});
  const Tensor v = tg::arange(3.0, 6.0, 1.0, tg::f64);
  CHECK(v.t().same(v));  // as torch: t() of a 1-D tensor is the tensor
  CHECK_ERROR(tg::zeros({2, 2, 2}).t(), "t: expected a tensor with at most 2 dims, got shape [2, 2, 2]");
}

TEST_CASE("elementwise methods give the free functions' values") {
  const Tensor x = sample();
  CHECK(values(x.abs()) == std::vector<double>{1, 2, 3, 4, 5, 6});
  CHECK(values(x.neg()) == std::vector<double>{-1, 2, -3, 4, -5, 6});
  CHECK(values(x.relu()) == std::vector<double>{1, 0, 3, 0, 5, 0});
  CHECK(values(x.square()) == std::vector<double>{1, 4, 9, 16, 25, 36});
  CHECK(values(x.pow(2.0)) == std::vector<double>{1, 4, 9, 16, 25, 36});
  CHECK(values(x.abs().pow(tg::full({3}, 0.5, tg::f64))) == values(x.abs().sqrt()));
  CHECK(values(x.square().sqrt()) == std::vector<double>{1, 2, 3, 4, 5, 6});
  CHECK(values(x.clamp(-1, 1)) == std::vector<double>{1, -1, 1, -1, 1, -1});
  CHECK(values(x.exp()) == values(tg::exp(x)));
  CHECK(values(x.abs().log()) == values(tg::log(tg::abs(x))));
  CHECK(values(x.sigmoid()) == values(tg::sigmoid(x)));
  CHECK(values(x.tanh()) == values(tg::tanh(x)));
  CHECK(tg::zeros({1}).sigmoid().item() == 0.5);
  // x x^T = [[14, -32], [-32, 77]]
  CHECK(values(x.matmul(x.t())) == std::vector<double>{14, -32, -32, 77});
  CHECK(values(x.softmax(1)) == values(tg::softmax(x, 1)));
  CHECK(values(x.softmax(1).sum(1)) == std::vector<double>{1, 1});
  CHECK(values(x.log_softmax()) == values(tg::log_softmax(x, -1)));
  const Tensor idx = tg::from_vector(std::vector<std::int64_t>{2, 0}, {2});
  CHECK(values(x.index_select(1, idx)) == std::vector<double>{3, 1, -6, -4});
}

TEST_CASE("methods are recorded like the free functions: gradients flow through a chain") {
  Tensor w = tg::from_vector(std::vector<double>{1, -2, 3}, {3}).requires_grad_();
  const Tensor loss = w.square().sum() + w.relu().mean();  // 2w + [w > 0] / 3
  loss.backward();
  const std::vector<double> g = w.grad().to_vector<double>();
  CHECK(g[0] == doctest::Approx(2 + 1.0 / 3));
  CHECK(g[1] == doctest::Approx(-4));
  CHECK(g[2] == doctest::Approx(6 + 1.0 / 3));
  const auto report = tg::gradcheck(
      [](const std::vector<Tensor>& in) {
        const Tensor& a = in[0];
        return a.t().matmul(a).tanh().sum(0).softmax().log().mean() + a.flatten().abs().max();
      },
      {tg::from_vector(std::vector<double>{0.3, -0.7, 1.1, 0.2, -0.4, 0.9}, {2, 3})});
  CHECK(report.passed());
}
