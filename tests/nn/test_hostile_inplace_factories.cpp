// Writes into tensors that require grad outside NoGradGuard, and factories or random fills
// given parameters that describe no tensor (NaN bounds, a step away from stop, low > high,
// a negative std), are errors naming the call and what was given.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include <tapegrad/nn/nn.hpp>
#include <tapegrad/optim/optim.hpp>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"

using tg::Tensor;

namespace {
const double not_a_number = std::numeric_limits<double>::quiet_NaN();
const double inf = std::numeric_limits<double>::infinity();
const double huge = std::numeric_limits<double>::max();
}  // namespace

TEST_CASE("in-place writes into a leaf that requires grad are refused outside NoGradGuard") {
  const Tensor w = tg::ones({2, 3}).requires_grad_();
  const std::string leaf = "a leaf tensor that requires grad (shape [2, 3]) is being used in an in-place operation";
  Tensor target = w;
  CHECK_ERROR(target.copy_(tg::zeros({2, 3})), "copy_: " + leaf);
  CHECK_ERROR(target.fill_(2), "fill_: " + leaf);
  CHECK_ERROR(target.zero_(), "zero_: " + leaf);
  CHECK_ERROR(tg::uniform_(w), "uniform_: " + leaf);
  CHECK_ERROR(tg::normal_(w), "normal_: " + leaf);
  CHECK(w.to_vector<float>() == std::vector<float>(6, 1.0f));  // nothing was written

  {  // allowed: under NoGradGuard, and through detach()
    tg::NoGradGuard no_grad;
    target.fill_(2);
  }
  CHECK(w.to_vector<float>() == std::vector<float>(6, 2.0f));
  w.detach().copy_(tg::full({2, 3}, 3.0));
  CHECK(w.to_vector<float>() == std::vector<float>(6, 3.0f));
  Tensor plain = tg::ones({2});  // no grad: nothing to protect
  plain.fill_(5);
  CHECK(plain.to_vector<float>() == std::vector<float>{5, 5});
}

TEST_CASE("in-place writes into a non-leaf that requires grad are refused outside NoGradGuard") {
  const Tensor w = tg::ones({2, 3}).requires_grad_();
  Tensor y = w * 2.0f;
  CHECK_ERROR(y.fill_(0), "fill_: the tensor of shape [2, 3] requires grad (it was made by");
  Tensor row = tg::slice(w, 0, 0, 1);  // a view: writing into it would write into w
  CHECK_ERROR(row.copy_(tg::zeros({1, 3})), "copy_: the tensor of shape [1, 3] requires grad");
  CHECK(w.to_vector<float>() == std::vector<float>(6, 1.0f));
}

TEST_CASE("nn init, optimizers and load_state_dict still write into leaves that require grad") {
  tg::Generator gen(1);
  const Tensor w = tg::zeros({4, 3}).requires_grad_();
  const Tensor b = tg::zeros({4}).requires_grad_();
  tg::nn::kaiming_uniform_(w, &gen);
  tg::nn::constant_(b, 0.5);
  CHECK(b.to_vector<float>() == std::vector<float>(4, 0.5f));
  CHECK(tg::max(tg::abs(w)).item() > 0);

  // A gradient made with create_graph requires grad; zero_grad(false) replaces it by
  // zeros that do not (the graph may still read the old one).
  auto opt = tg::optim::create("sgd", {w, b}, {{"lr", 0.5}});
  tg::sum(b * b * b).backward({}, false, true);
  REQUIRE(b.grad().requires_grad());
  opt->zero_grad(false);
  CHECK(b.grad().to_vector<float>() == std::vector<float>(4, 0.0f));
  CHECK(!b.grad().requires_grad());
  tg::sum(b * b).backward();
  opt->step();  // b -= 0.5 * 2b
  CHECK(b.to_vector<float>() == std::vector<float>(4, 0.0f));

  tg::nn::Linear source(3, 2), target(3, 2);
  target.load_state_dict(source.state_dict());
  CHECK(target.weight().to_vector<float>() == source.weight().to_vector<float>());
}

TEST_CASE("arange refuses non-finite bounds, a zero step and a step away from stop") {
  CHECK_ERROR(tg::arange(0.0, not_a_number),
              "arange: start, stop and step must be finite, got start=0, stop=nan, step=1");
  CHECK_ERROR(tg::arange(not_a_number, 1.0), "arange: start, stop and step must be finite, got start=nan");
  CHECK_ERROR(tg::arange(0.0, 10.0, inf),
              "arange: start, stop and step must be finite, got start=0, stop=10, step=inf");
  CHECK_ERROR(tg::arange(0.0, inf), "arange: start, stop and step must be finite");
  CHECK_ERROR(tg::arange(0.0, 10.0, 0.0), "arange: step must be non-zero");
  CHECK_ERROR(tg::arange(0.0, 5.0, -1.0),
              "arange: step=-1 goes away from stop=5 (start=0); the step's sign must be that of stop - start");
  CHECK_ERROR(tg::arange(5.0, 0.0, 1.0), "arange: step=1 goes away from stop=0 (start=5)");
  CHECK_ERROR(tg::arange(std::int64_t{-3}), "arange: step=1 goes away from stop=-3 (start=0)");
  CHECK_ERROR(tg::arange(-huge, huge, 1.0), "too many for a tensor");
  CHECK_ERROR(tg::arange(0.0, 1e300, 1e-300), "arange: [0, 1e+300) in steps of 1e-300 has");
  CHECK_ERROR(tg::arange(1e19, 1e19 + 1e6, 1e5, tg::i64), "must be within (-2^63, 2^63) for dtype i64");
  // What stays valid: an empty range, a negative step towards stop.
  CHECK(tg::arange(2.0, 2.0).numel() == 0);
  CHECK(tg::arange(std::int64_t{0}).numel() == 0);
  CHECK(tg::arange(5.0, 0.0, -2.0, tg::f64).to_vector<double>() == std::vector<double>{5, 3, 1});
}

TEST_CASE("uniform and uniform_ refuse low > high and non-finite bounds") {
  CHECK_ERROR(tg::uniform({3}, 1.0, 0.0), "uniform: low=1 is greater than high=0");
  CHECK_ERROR(tg::uniform({3}, not_a_number, 1.0),
              "uniform: low and high must be finite (and high - low too), got low=nan");
  CHECK_ERROR(tg::uniform({3}, 0.0, inf), "uniform: low and high must be finite");
  CHECK_ERROR(tg::uniform({3}, -huge, huge), "uniform: low and high must be finite (and high - low too)");
  const Tensor t = tg::zeros({3});
  CHECK_ERROR(tg::uniform_(t, 0.0, not_a_number), "uniform_: low and high must be finite");
  CHECK_ERROR(tg::uniform_(t, 1.0, 0.0), "uniform_: low = 1 is greater than high = 0");
  CHECK_ERROR(tg::nn::uniform_(t, 1.0, -1.0), "uniform_: low = 1 is greater than high = -1");
  CHECK(tg::uniform({3}, 2.0, 2.0, tg::f64).to_vector<double>() == std::vector<double>{2, 2, 2});
}

TEST_CASE("normal_ refuses a negative or non-finite std and a non-finite mean") {
  const Tensor t = tg::zeros({3});
  CHECK_ERROR(tg::normal_(t, 0.0, -1.0), "normal_: std must be finite and non-negative, got -1");
  CHECK_ERROR(tg::normal_(t, 0.0, not_a_number), "normal_: std must be finite and non-negative, got nan");
  CHECK_ERROR(tg::normal_(t, 0.0, inf), "normal_: std must be finite and non-negative, got inf");
  CHECK_ERROR(tg::normal_(t, not_a_number, 1.0), "normal_: mean must be finite, got nan");
  CHECK_ERROR(tg::nn::normal_(t, -0.5), "normal_: std must be finite and non-negative, got -0.5");
  CHECK(t.to_vector<float>() == std::vector<float>(3, 0.0f));
}

TEST_CASE("full and fill_ refuse values an integer dtype cannot hold") {
  CHECK_ERROR(tg::full({2}, not_a_number, tg::i64),
              "fill_: value nan does not fit dtype i64: an integer in [-2^63, 2^63) is expected");
  CHECK_ERROR(tg::full({2}, 1e300, tg::i64), "fill_: value 1e+300 does not fit dtype i64");
  CHECK_ERROR(tg::full({2}, 2.5, tg::i64), "fill_: value 2.5 does not fit dtype i64");
  CHECK(tg::full({2}, -7, tg::i64).to_vector<std::int64_t>() == std::vector<std::int64_t>{-7, -7});
}

TEST_CASE("bernoulli and dropout refuse p outside [0, 1], NaN included") {
  CHECK_ERROR(tg::bernoulli({3}, 1.5), "bernoulli: p must be in [0, 1], got 1.5");
  CHECK_ERROR(tg::bernoulli({3}, not_a_number), "bernoulli: p must be in [0, 1], got nan");
  CHECK_ERROR(tg::dropout(tg::ones({3}), -0.1), "dropout: p must be in [0, 1], got -0.1");
}
