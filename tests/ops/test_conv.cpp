// conv2d and linear: hand-computed values and gradients, output sizes, f32 (oneDNN)
// against f64 (reference loops) forward and backward, the primitive cache, double
// backward, and the errors users hit.
#include <doctest/doctest.h>

#include <cmath>

#include <tapegrad/ops/conv.hpp>
#include <tapegrad/ops/linear.hpp>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"
#include "tensor_values.hpp"

using tg::Conv2dOptions;
using tg::Tensor;

namespace {

using tg::test::check_values;
using tg::test::f64;

Tensor iota(const tg::Shape& s, double start = 1) {
  return tg::reshape(tg::arange(start, start + static_cast<double>(s.numel()), 1.0, tg::f64), s.to_vector());
}

// max |a - b| / (1 + |b|)
double difference(const Tensor& a, const Tensor& b) {
  const auto x = a.to_vector<double>(), y = b.to_vector<double>();
  REQUIRE(x.size() == y.size());
  double worst = 0;
  for (std::size_t i = 0; i < x.size(); ++i) worst = std::max(worst, std::abs(x[i] - y[i]) / (1 + std::abs(y[i])));
  return worst;
}

// The output and the gradients of <seed, f(inputs)> for every input, in the inputs' dtype.
std::vector<Tensor> value_and_grads(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                                    const std::vector<Tensor>& inputs, const Tensor& seed) {
  std::vector<Tensor> xs;
  for (const auto& x : inputs) xs.push_back(x.detach().clone().requires_grad_());
  const Tensor y = f(xs);
  const Tensor s = seed.to(y.dtype());
  std::vector<Tensor> out{y.detach()};
  for (auto& g : tg::grad(std::span<const Tensor>(&y, 1), xs, std::span<const Tensor>(&s, 1))) out.push_back(g);
  return out;
}

// f on f32 inputs (oneDNN) against f64 inputs (reference loops): output and every gradient.
void check_f32_matches_f64(const std::function<Tensor(const std::vector<Tensor>&)>& f, const std::vector<Tensor>& inputs,
                           double tol = 1e-4) {
  std::vector<Tensor> as32;
  for (const auto& x : inputs) as32.push_back(x.to(tg::f32));
  tg::Generator gen(7);
  const Tensor probe = f(inputs);
  const Tensor seed = tg::randn(probe.shape(), tg::f64, &gen);
  const auto ref = value_and_grads(f, inputs, seed);
  const auto got = value_and_grads(f, as32, seed);
  for (std::size_t i = 0; i < ref.size(); ++i) {
    CAPTURE(i);  // 0: output, then the gradient of each input
    CHECK(got[i].dtype() == tg::f32);
    CHECK(got[i].shape() == ref[i].shape());
    CHECK(difference(got[i], ref[i]) < tol);
  }
}

}  // namespace

TEST_CASE("conv2d of a 3x3 image with a 2x2 kernel, by hand") {
  // x = [[1 2 3] [4 5 6] [7 8 9]], w = [[1 2] [3 4]], b = 1: y[i][j] = b + sum w * window.
  for (tg::DType dt : {tg::f64, tg::f32}) {
    CAPTURE(tg::dtype_name(dt));
    Tensor x = iota({1, 1, 3, 3}).to(dt).requires_grad_();
    Tensor w = f64({1, 2, 3, 4}, {1, 1, 2, 2}).to(dt).requires_grad_();
    Tensor b = f64({1}, {1}).to(dt).requires_grad_();
    const Tensor y = tg::conv2d(x, w, b);
    CHECK(y.shape() == tg::Shape{1, 1, 2, 2});
    check_values(y, {38, 48, 68, 78}, 1e-6);
    tg::sum(y).backward();
    // dw = sum of the four windows; dx = how much each pixel is weighted in total; db = 4.
    check_values(w.grad(), {1 + 2 + 4 + 5, 2 + 3 + 5 + 6, 4 + 5 + 7 + 8, 5 + 6 + 8 + 9}, 1e-6);
    check_values(x.grad(), {1, 3, 2, 4, 10, 6, 3, 7, 4}, 1e-6);
    check_values(b.grad(), {4}, 1e-6);
  }
}

TEST_CASE("conv2d with padding, stride, dilation and groups, by hand") {
  SUBCASE("padding 1: a 3x3 box filter counts the in-image neighbours") {
    const Tensor y = tg::conv2d(tg::ones({1, 1, 3, 3}, tg::f64), tg::ones({1, 1, 3, 3}, tg::f64), {}, {.padding = 1});
    check_values(y, {4, 6, 4, 6, 9, 6, 4, 6, 4});
  }
  SUBCASE("stride 2: a 1x1 kernel picks every other pixel") {
    const Tensor y = tg::conv2d(iota({1, 1, 4, 4}), f64({2}, {1, 1, 1, 1}), {}, {.stride = 2});
    check_values(y, {2, 6, 18, 22});
  }
  SUBCASE("dilation 2: a 2x2 kernel reads pixels two apart") {
    // y[i][j] = x[i][j] + x[i][j+2] + x[i+2][j] + x[i+2][j+2] on x = 0..24 (5x5).
    const Tensor y = tg::conv2d(iota({1, 1, 5, 5}, 0), tg::ones({1, 1, 2, 2}, tg::f64), {}, {.dilation = 2});
    check_values(y, {24, 28, 32, 44, 48, 52, 64, 68, 72});
  }
  SUBCASE("groups 2: each half of the channels has its own filters") {
    const Tensor x = f64({1, 1, 1, 1, 2, 2, 2, 2}, {1, 2, 2, 2});
    const Tensor y = tg::conv2d(x, f64({3, 5}, {2, 1, 1, 1}), {}, {.groups = 2});
    check_values(y, {3, 3, 3, 3, 10, 10, 10, 10});
  }
}

TEST_CASE("conv2d output sizes follow floor((H + 2p - d(k - 1) - 1) / s) + 1") {
  CHECK(tg::conv2d_output_size(28, 3, 1, 1, 1) == 28);
  CHECK(tg::conv2d_output_size(28, 3, 2, 1, 1) == 14);
  CHECK(tg::conv2d_output_size(28, 5, 1, 0, 2) == 20);
  CHECK(tg::conv2d_output_size(7, 3, 2, 0, 1) == 3);
  CHECK(tg::conv2d_output_size(6, 3, 2, 0, 1) == 2);  // the last row is never read
  const Tensor x = tg::zeros({2, 3, 7, 6});
  const Tensor w = tg::zeros({4, 3, 3, 2});
  CHECK(tg::conv2d(x, w).shape() == tg::Shape{2, 4, 5, 5});
  CHECK(tg::conv2d(x, w, {}, {.stride = 2, .padding = 1}).shape() == tg::Shape{2, 4, 4, 4});
  CHECK(tg::conv2d(x, w, {}, {.stride = {2, 3}, .padding = {1, 0}, .dilation = {1, 2}}).shape() ==
        tg::Shape{2, 4, 4, 2});
  CHECK(tg::conv2d(x, tg::zeros({6, 1, 3, 3}), {}, {.padding = 1, .groups = 3}).shape() == tg::Shape{2, 6, 7, 6});
}

TEST_CASE("conv2d in f32 (oneDNN) matches f64 (reference) forward and backward at CNN sizes") {
  tg::Generator gen(3);
  struct Case {
    const char* label;
    tg::Shape x, w;
    Conv2dOptions options;
    bool bias;
  };
  const Case cases[] = {
      {"first layer 1 -> 32, pad 1", {8, 1, 28, 28}, {32, 1, 3, 3}, {.padding = 1}, true},
      {"16 -> 32, pad 1", {8, 16, 14, 14}, {32, 16, 3, 3}, {.padding = 1}, true},
      {"stride 2, odd size", {4, 16, 15, 15}, {32, 16, 3, 3}, {.stride = 2, .padding = 1}, false},
      {"stride 2x3 skipping the last rows", {4, 8, 16, 17}, {16, 8, 3, 3}, {.stride = {2, 3}}, true},
      {"dilation 2", {4, 16, 14, 14}, {16, 16, 3, 3}, {.padding = 2, .dilation = 2}, true},
      {"groups 2, non-square kernel", {4, 16, 12, 13}, {32, 8, 3, 5}, {.padding = {1, 2}, .groups = 2}, true},
      {"depthwise", {4, 32, 14, 14}, {32, 1, 3, 3}, {.padding = 1, .groups = 32}, true},
      {"1x1", {4, 32, 7, 7}, {64, 32, 1, 1}, {}, false},
      // Plain <-> channel-blocked copies by 16x16 tiles: planes of 5 tiles + 1, and of 15 (tail only).
      {"48 -> 32 on a 9x9 plane", {2, 48, 9, 9}, {32, 48, 3, 3}, {.padding = 1}, true},
      {"32 -> 48 on a 5x3 plane", {3, 32, 5, 3}, {48, 32, 3, 3}, {.padding = 1}, false},
  };
  for (const Case& c : cases) {
    CAPTURE(c.label);
    std::vector<Tensor> inputs{tg::randn(c.x, tg::f64, &gen), tg::randn(c.w, tg::f64, &gen)};
    if (c.bias) inputs.push_back(tg::randn({c.w[0]}, tg::f64, &gen));
    const Conv2dOptions o = c.options;
    check_f32_matches_f64(
        [o](const std::vector<Tensor>& v) { return tg::conv2d(v[0], v[1], v.size() > 2 ? v[2] : Tensor{}, o); },
        inputs);
  }
}

TEST_CASE("conv2d reads strided (non-contiguous) inputs in f32 and f64 alike") {
  tg::Generator gen(4);
  const Tensor stored = tg::randn({2, 8, 9, 7}, tg::f64, &gen);
  const Tensor w = tg::randn({16, 8, 3, 3}, tg::f64, &gen);
  const Tensor view = tg::transpose(stored, -1, -2);  // [2, 8, 7, 9]
  const Tensor strided_channels = tg::slice(tg::randn({2, 16, 7, 9}, tg::f64, &gen), 1, 0, 16, 2);
  for (const Tensor& x : {view, strided_channels}) {
    REQUIRE_FALSE(x.is_contiguous());
    const Tensor ref = tg::conv2d(x.contiguous(), w, {}, {.padding = 1});
    CHECK(difference(tg::conv2d(x, w, {}, {.padding = 1}), ref) < 1e-12);
    CHECK(difference(tg::conv2d(x.to(tg::f32), w.to(tg::f32), {}, {.padding = 1}), ref) < 1e-4);
  }
}

TEST_CASE("a repeated conv2d training step creates no new oneDNN primitives") {
  tg::Generator gen(5);
  Tensor x = tg::randn({4, 8, 10, 10}, tg::f32, &gen).requires_grad_();
  Tensor w = tg::randn({16, 8, 3, 3}, tg::f32, &gen).requires_grad_();
  Tensor b = tg::randn({16}, tg::f32, &gen).requires_grad_();
  auto step = [&] { tg::sum(tg::conv2d(x, w, b, {.stride = 2, .padding = 1})).backward(); };
  step();
  const std::int64_t created = tg::dnnl_primitives_created();
  step();
  step();
  CHECK(tg::dnnl_primitives_created() == created);
}

TEST_CASE("conv2d reorders a weight once per update and layout, evaluation reuses it, updates are seen") {
  // The benchmark CNN's convolutions. oneDNN's JIT kernels take blocked weights, and
  // on AVX-512 the forward and the backward-data kernels take different blockings
  // (forcing one on both selects oneDNN's reference kernel): a step reorders conv1's
  // weight once (its input needs no gradient) and conv2's at most twice.
  tg::Generator gen(6);
  Tensor x = tg::randn({64, 1, 28, 28}, tg::f32, &gen);
  Tensor w1 = tg::randn({32, 1, 3, 3}, tg::f32, &gen).requires_grad_();
  Tensor w2 = tg::randn({64, 32, 3, 3}, tg::f32, &gen).requires_grad_();
  auto loss = [&] {
    return tg::sum(tg::conv2d(tg::relu(tg::conv2d(x, w1, {}, {.padding = 1})), w2, {}, {.padding = 1}));
  };
  auto step = [&] {
    w1.set_grad({});
    w2.set_grad({});
    loss().backward();
    tg::NoGradGuard no_grad;
    w1.copy_(w1 - 1e-3 * w1.grad());  // an in-place update bumps the version
    w2.copy_(w2 - 1e-3 * w2.grad());
  };
  step();
  const std::int64_t before = tg::dnnl_weight_reorders();
  step();
  step();
  const std::int64_t per_step = (tg::dnnl_weight_reorders() - before) / 2;
  MESSAGE("weight reorders per training step of two convolutions: " << per_step);
  CHECK(per_step >= 1);
  CHECK(per_step <= 3);
  {
    // Evaluation: the weights do not change between batches, so nothing is reordered.
    tg::NoGradGuard no_grad;
    loss();
    const std::int64_t evaluated = tg::dnnl_weight_reorders();
    loss();
    loss();
    CHECK(tg::dnnl_weight_reorders() == evaluated);
  }
  // The cached layout must follow the update: the same loss as weights copied afresh.
  const double cached = loss().item();
  const double fresh = tg::sum(tg::conv2d(tg::relu(tg::conv2d(x, w1.clone().detach(), {}, {.padding = 1})),
                                          w2.clone().detach(), {}, {.padding = 1}))
                           .item();
  CHECK(cached == fresh);
}

TEST_CASE("conv2d gradients are differentiable: create_graph records the gradient ops") {
  Tensor x = tg::randn({1, 2, 5, 5}, tg::f64).requires_grad_();
  Tensor w = tg::randn({3, 2, 3, 3}, tg::f64).requires_grad_();
  const Tensor c = tg::conv2d(x, w, {}, {.stride = 2, .padding = 1});
  const auto g = tg::grad(tg::sum(c * c), std::vector<Tensor>{x, w}, /*create_graph=*/true);
  REQUIRE(g[0].grad_fn());
  CHECK(std::string(g[0].grad_fn()->name()) == "conv2d_backward_input");
  CHECK(std::string(g[1].grad_fn()->name()) == "conv2d_backward_weight");
  // A gradient penalty: d/dw sum(dy/dx ^ 2) goes through conv2d_backward_input's node.
  const Tensor penalty = tg::sum(g[0] * g[0]);
  const auto gw = tg::grad(penalty, std::vector<Tensor>{w});
  CHECK(gw[0].shape() == w.shape());
  const tg::GradcheckReport second = tg::gradgradcheck(
      [](const std::vector<Tensor>& v) { return tg::conv2d(v[0], v[1], v[2], {.stride = 2, .padding = 1, .groups = 2}); },
      {tg::randn({1, 4, 5, 4}, tg::f64), tg::randn({4, 2, 3, 3}, tg::f64), tg::randn({4}, tg::f64)});
  CHECK(second.passed());
}

TEST_CASE("f32 gradients are the same with and without create_graph (fused kernels vs gradient ops)") {
  // Without create_graph conv2d's backward runs one fused oneDNN call and linear's bias
  // gradient a plain loop; with it, the differentiable gradient ops run instead.
  tg::Generator gen(8);
  const auto conv = [](const std::vector<Tensor>& v) { return tg::conv2d(v[0], v[1], v[2], {.stride = 2, .padding = 1}); };
  const auto lin = [](const std::vector<Tensor>& v) { return tg::linear(v[0], v[1], v[2]); };
  const std::vector<Tensor> conv_inputs{tg::randn({4, 16, 15, 15}, tg::f32, &gen), tg::randn({32, 16, 3, 3}, tg::f32, &gen),
                                        tg::randn({32}, tg::f32, &gen)};
  const std::vector<Tensor> lin_inputs{tg::randn({64, 300}, tg::f32, &gen), tg::randn({20, 300}, tg::f32, &gen),
                                       tg::randn({20}, tg::f32, &gen)};
  for (const auto& [f, inputs] : {std::pair{std::function<Tensor(const std::vector<Tensor>&)>(conv), conv_inputs},
                                  std::pair{std::function<Tensor(const std::vector<Tensor>&)>(lin), lin_inputs}}) {
    std::vector<Tensor> xs;
    for (const auto& x : inputs) xs.push_back(x.detach().clone().requires_grad_());
    const Tensor seed = tg::randn(f(xs).shape(), tg::f32, &gen);
    std::vector<Tensor> plain, graph;
    for (bool create_graph : {false, true}) {
      const Tensor y = f(xs);
      tg::BackwardOptions o;
      o.create_graph = create_graph;
      (create_graph ? graph : plain) =
          tg::grad(std::span<const Tensor>(&y, 1), xs, std::span<const Tensor>(&seed, 1), o);
    }
    for (std::size_t i = 0; i < xs.size(); ++i) {
      CAPTURE(i);
      CHECK_FALSE(plain[i].requires_grad());
      if (i < 2) CHECK(graph[i].requires_grad());  // the bias gradient depends on the seed only
      CHECK(difference(plain[i], graph[i]) < 1e-5);
    }
  }
}

TEST_CASE("conv2d errors name the op, the shapes and the options") {
  const Tensor x = tg::zeros({1, 3, 8, 8});
  const Tensor w = tg::zeros({4, 3, 3, 3});
  CHECK_ERROR(tg::conv2d(tg::zeros({1, 28, 28}), w), "conv2d: input has 3 dims [1, 28, 28], expected 4 (N, C, H, W)");
  CHECK_ERROR(tg::conv2d(x, tg::zeros({4, 3, 3})), "conv2d: weight has 3 dims [4, 3, 3], expected 4 (O, C/groups, KH, KW)");
  CHECK_ERROR(tg::conv2d(x, tg::zeros({4, 2, 3, 3})),
              "conv2d: input [1, 3, 8, 8] has 3 channels but weight [4, 2, 3, 3] expects 2 (2 per group x 1 groups)");
  CHECK_ERROR(tg::conv2d(tg::zeros({1, 4, 8, 8}), tg::zeros({4, 1, 3, 3}), {}, {.groups = 2}),
              "conv2d: input [1, 4, 8, 8] has 4 channels but weight [4, 1, 3, 3] expects 2 (1 per group x 2 groups)");
  CHECK_ERROR(tg::conv2d(x, tg::zeros({4, 1, 3, 3}), {}, {.groups = 2}),
              "conv2d: groups 2 does not divide the 3 channels of input [1, 3, 8, 8]");
  CHECK_ERROR(tg::conv2d(tg::zeros({1, 4, 8, 8}), tg::zeros({3, 2, 3, 3}), {}, {.groups = 2}),
              "conv2d: groups 2 does not divide the 3 output channels of weight [3, 2, 3, 3]");
  CHECK_ERROR(tg::conv2d(x, w, {}, {.groups = 0}), "conv2d: groups must be >= 1, got 0");
  CHECK_ERROR(tg::conv2d(tg::zeros({1, 3, 2, 8}), w),
              "conv2d: kernel 3x3 (extent 3x3 with dilation [1, 1]) is larger than the padded input 2x8 "
              "(input [1, 3, 2, 8] with padding [0, 0])");
  CHECK_ERROR(tg::conv2d(tg::zeros({1, 3, 4, 4}), w, {}, {.padding = 1, .dilation = 3}),
              "conv2d: kernel 3x3 (extent 7x7 with dilation [3, 3]) is larger than the padded input 6x6");
  CHECK_ERROR(tg::conv2d(x, w, {}, {.stride = {0, 1}}), "conv2d: stride must be >= 1, got [0, 1]");
  CHECK_ERROR(tg::conv2d(x, w, {}, {.dilation = {1, 0}}), "conv2d: dilation must be >= 1, got [1, 0]");
  CHECK_ERROR(tg::conv2d(x, w, {}, {.padding = {-1, 0}}), "conv2d: padding must be >= 0, got [-1, 0]");
  CHECK_ERROR(tg::conv2d(x, w, tg::zeros({3})),
              "conv2d: bias has shape [3], expected [4] (one value per output channel of weight [4, 3, 3, 3])");
  CHECK_ERROR(tg::conv2d(x, w.to(tg::f64)), "conv2d: dtypes differ: f32 [1, 3, 8, 8] and f64 [4, 3, 3, 3]");
  CHECK_ERROR(tg::conv2d(x, w, tg::zeros({4}, tg::f64)), "conv2d: dtypes differ: f32 [1, 3, 8, 8] and f64 [4]");
  CHECK_ERROR(tg::conv2d(tg::zeros({1, 3, 8, 8}, tg::i64), w), "conv2d: expected a floating tensor (f32 or f64), got i64");
  CHECK_ERROR(tg::conv2d_backward_input(tg::zeros({1, 4, 5, 5}), w, {1, 3, 8, 8}),
              "conv2d_backward_input: grad_out has shape [1, 4, 5, 5], expected [1, 4, 6, 6]");
  CHECK_ERROR(tg::conv2d_backward_weight(tg::zeros({1, 4, 6, 6}), x, {4, 3, 3, 3}, {.padding = 1}),
              "conv2d_backward_weight: grad_out has shape [1, 4, 6, 6], expected [1, 4, 8, 8]");
  CHECK_ERROR(tg::conv2d_backward_bias(tg::zeros({4, 6, 6})),
              "conv2d_backward_bias: grad_out has 3 dims [4, 6, 6], expected 4 (N, O, OH, OW)");
}

TEST_CASE("linear of a 2x2 batch, by hand, with its gradients") {
  for (tg::DType dt : {tg::f64, tg::f32}) {
    CAPTURE(tg::dtype_name(dt));
    Tensor x = f64({1, 2, 3, 4}, {2, 2}).to(dt).requires_grad_();
    Tensor w = f64({1, 0, 0, 1, 1, 1}, {3, 2}).to(dt).requires_grad_();  // [out 3, in 2]
    Tensor b = f64({0.5, -1, 0}, {3}).to(dt).requires_grad_();
    const Tensor y = tg::linear(x, w, b);
    check_values(y, {1.5, 1, 3, 3.5, 3, 7}, 1e-6);
    tg::sum(y).backward();
    check_values(x.grad(), {2, 2, 2, 2}, 1e-6);        // each row: sum of W's rows
    check_values(w.grad(), {4, 6, 4, 6, 4, 6}, 1e-6);  // each row: sum of x's rows
    check_values(b.grad(), {2, 2, 2}, 1e-6);
  }
}

TEST_CASE("linear on [..., in] inputs and without bias") {
  const Tensor w = tg::randn({5, 4}, tg::f64);
  const Tensor x = tg::randn({2, 3, 4}, tg::f64);
  const Tensor y = tg::linear(x, w);
  CHECK(y.shape() == tg::Shape{2, 3, 5});
  CHECK(difference(y, tg::matmul(x, tg::transpose(w, 0, 1))) < 1e-12);
  CHECK(tg::linear(tg::randn({4}, tg::f64), w).shape() == tg::Shape{5});
}

TEST_CASE("linear in f32 (oneDNN) matches f64 forward and backward at MLP sizes") {
  tg::Generator gen(6);
  const auto f = [](const std::vector<Tensor>& v) { return tg::linear(v[0], v[1], v.size() > 2 ? v[2] : Tensor{}); };
  check_f32_matches_f64(f, {tg::randn({64, 3136}, tg::f64, &gen), tg::randn({128, 3136}, tg::f64, &gen),
                            tg::randn({128}, tg::f64, &gen)});
  check_f32_matches_f64(f, {tg::transpose(tg::randn({300, 64}, tg::f64, &gen), 0, 1), tg::randn({10, 300}, tg::f64, &gen)});
}

TEST_CASE("linear errors name the op and the shapes") {
  CHECK_ERROR(tg::linear(tg::zeros({64, 784}), tg::zeros({10, 780})),
              "linear: input [64, 784] has 784 features (last dim) but weight [10, 780] expects 780");
  CHECK_ERROR(tg::linear(tg::zeros({64, 784}), tg::zeros({784})),
              "linear: weight has 1 dims [784], expected 2 (out_features, in_features)");
  CHECK_ERROR(tg::linear(tg::zeros({64, 784}), tg::zeros({10, 784}), tg::zeros({784})),
              "linear: bias has shape [784], expected [10] (out_features of weight [10, 784])");
  CHECK_ERROR(tg::linear(tg::zeros({64, 784}), tg::zeros({10, 784}, tg::f64)),
              "linear: dtypes differ: f32 [64, 784] and f64 [10, 784]");
  CHECK_ERROR(tg::linear(tg::zeros({64, 784}), tg::zeros({10, 784}), tg::zeros({10}, tg::f64)),
              "linear: dtypes differ: f32 [64, 784] and f64 [10]");
}
