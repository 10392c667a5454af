// Empty tensors through every op: each op-table entry has samples with a size-0 dim
// (and a large one whose non-empty form would run on oneDNN); they run forward and
// backward in f64 and f32 with the right shapes, or are refused with a tg::Error.
#include <doctest/doctest.h>

#include <tapegrad/nn/linear.hpp>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"

namespace {

std::vector<tg::Tensor> leaves_in(const std::vector<tg::Tensor>& inputs, tg::DType dtype) {
  std::vector<tg::Tensor> out;
  for (const tg::Tensor& x : inputs) {
    if (!x.defined() || !tg::is_floating(x.dtype())) {
      out.push_back(x);
      continue;
    }
    tg::Tensor leaf = x.to(dtype).clone();
    leaf.requires_grad_(true);
    out.push_back(leaf);
  }
  return out;
}

bool all_zero(const tg::Tensor& t) {
  for (double v : t.to_vector<double>())
    if (v != 0) return false;
  return true;
}

// Runs the sample in f64 and f32: the same output shape in both, a gradient of each
// floating input's shape, and an all-zero gradient when the output is empty.
void run_empty_sample(const tg::OpTableEntry& entry, const tg::OpSample& sample) {
  const auto fn = sample.bind(entry.fn);
  tg::Shape f64_shape;
  for (tg::DType dtype : {tg::f64, tg::f32}) {
    const std::string dtype_label(tg::dtype_name(dtype));
    CAPTURE(dtype_label);
    const std::vector<tg::Tensor> inputs = leaves_in(sample.inputs, dtype);
    if (!sample.refused_with.empty()) {
      CHECK_ERROR(fn(inputs), sample.refused_with);
      continue;
    }
    const tg::Tensor out = fn(inputs);
    CHECK(out.dtype() == dtype);
    if (dtype == tg::f64) f64_shape = out.shape();
    CHECK(out.shape() == f64_shape);
    if (!out.requires_grad()) continue;
    std::vector<tg::Tensor> wrt;
    for (const tg::Tensor& x : inputs)
      if (x.defined() && x.requires_grad()) wrt.push_back(x);
    const tg::Tensor seed = tg::ones_like(out);
    const std::vector<tg::Tensor> grads = tg::grad(std::span<const tg::Tensor>(&out, 1), wrt,
                                                   std::span<const tg::Tensor>(&seed, 1), {}, /*allow_unused=*/true);
    for (std::size_t j = 0; j < wrt.size(); ++j) {
      if (!grads[j].defined()) continue;
      CHECK(grads[j].shape() == wrt[j].shape());
      if (out.numel() == 0) CHECK(all_zero(grads[j]));
    }
  }
}

}  // namespace

TEST_CASE("every op-table entry has a sample with an empty input, and a large one when it has large samples") {
  tg::Generator gen(0);
  for (const auto& entry : tg::op_table()) {
    CAPTURE(entry.name);
    const auto samples = entry.samples(gen);
    CHECK(std::any_of(samples.begin(), samples.end(), tg::has_empty_input));
    if (entry.large_samples) {
      const auto large = entry.large_samples(gen);
      CHECK(std::any_of(large.begin(), large.end(), tg::has_empty_input));
    }
  }
}

TEST_CASE("every op runs forward and backward on its empty samples in f64 and f32, or refuses them") {
  tg::Generator gen(0);
  for (const auto& entry : tg::op_table()) {
    std::vector<tg::OpSample> samples = entry.samples(gen);
    if (entry.large_samples)
      for (auto& s : entry.large_samples(gen)) samples.push_back(std::move(s));
    for (const auto& sample : samples) {
      if (!tg::has_empty_input(sample)) continue;
      CAPTURE(entry.name);
      CAPTURE(sample.label);
      run_empty_sample(entry, sample);
    }
  }
}

TEST_CASE("matmul with an empty inner dimension is all zeros in f32 and f64, with empty gradients") {
  for (tg::DType dtype : {tg::f32, tg::f64}) {
    const std::string dtype_label(tg::dtype_name(dtype));
    CAPTURE(dtype_label);
    tg::Tensor a = tg::ones({2, 0}, dtype).requires_grad_(true);
    tg::Tensor b = tg::ones({0, 4}, dtype).requires_grad_(true);
    const tg::Tensor c = tg::matmul(a, b);
    CHECK(c.shape() == tg::Shape{2, 4});
    CHECK(c.to_vector<double>() == std::vector<double>(8, 0.0));
    tg::sum(c).backward();
    CHECK(a.grad().shape() == tg::Shape{2, 0});
    CHECK(b.grad().shape() == tg::Shape{0, 4});
    CHECK(tg::matmul(tg::ones({3, 2, 0}, dtype), tg::ones({0, 5}, dtype)).to_vector<double>() ==
          std::vector<double>(30, 0.0));
    CHECK(tg::matmul(tg::ones({0, 3}, dtype), tg::ones({3, 4}, dtype)).shape() == tg::Shape{0, 4});
    CHECK(tg::matmul(tg::ones({2, 3}, dtype), tg::ones({3, 0}, dtype)).shape() == tg::Shape{2, 0});
  }
}

TEST_CASE("Linear on an empty batch gives an empty output and zero parameter gradients") {
  tg::Generator gen(3);
  tg::nn::Linear layer(784, 128, true, &gen);
  const tg::Tensor y = layer.forward(tg::zeros({0, 784}));
  CHECK(y.shape() == tg::Shape{0, 128});
  tg::sum(y).backward();
  CHECK(layer.weight().grad().shape() == tg::Shape{128, 784});
  CHECK(all_zero(layer.weight().grad()));
  CHECK(all_zero(layer.bias().grad()));
}

TEST_CASE("linear with no input features gives the bias") {
  const tg::Tensor bias = tg::from_vector(std::vector<float>{1, -2, 3}, tg::Shape{3});
  const tg::Tensor y = tg::linear(tg::zeros({64, 0}), tg::zeros({3, 0}), bias);
  CHECK(y.shape() == tg::Shape{64, 3});
  CHECK(y.to_vector<float>()[0] == 1);
  CHECK(y.to_vector<float>()[64 * 3 - 2] == -2);
}
