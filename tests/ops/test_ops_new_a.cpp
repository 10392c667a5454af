// New ops, set A: sin, cos, softplus, gelu (tanh), layer_norm, group_norm, embedding,
// cross_entropy's options. Expected values are hand-computed (or from a tiny f64
// reference written out in the test); the op-table sweep checks every gradient.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>

#include <tapegrad/ops/embedding.hpp>
#include <tapegrad/ops/op_sweep.hpp>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"

namespace {

using tg::Tensor;

Tensor f64s(std::vector<double> v, const tg::Shape& s) { return tg::from_vector(v, s); }
Tensor ints(std::vector<std::int64_t> v, const tg::Shape& s) { return tg::from_vector(v, s); }

void check_values(const Tensor& t, const std::vector<double>& expected, double tol = 1e-12) {
  const std::vector<double> got = t.to(tg::f64).to_vector<double>();
  REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    CHECK(got[i] == doctest::Approx(expected[i]).epsilon(tol));
  }
}

}  // namespace

TEST_CASE("new ops A: op-table entries pass gradcheck, gradgradcheck and the f32 comparison") {
  tg::OpSweepOptions options;
  options.gradgrad = true;
  for (const char* name :
       {"sin", "cos", "softplus", "softplus_beta2_threshold1", "gelu_tanh", "layer_norm", "layer_norm_last2_no_affine",
        "group_norm", "embedding", "embedding_padding_idx", "cross_entropy_weighted_ignore_smoothing",
        "cross_entropy_weighted_ignore_none", "cross_entropy_soft_targets", "cross_entropy_soft_targets_none"}) {
    CAPTURE(name);
    const tg::OpSweepResult r = tg::sweep_op(tg::find_op(name), options);
    std::string failures;
    for (const auto& f : r.failures) failures += f.label + ": " + f.what + "\n";
    for (const auto& e : r.errors) failures += e + "\n";
    INFO(failures);
    CHECK_FALSE(r.wrong());
    CHECK_FALSE(r.suspicious());
    CHECK(r.gradgrad_run);
    CHECK(r.samples >= 4);
  }
}

TEST_CASE("sin and cos: values and gradients") {
  const Tensor x = f64s({0.0, 0.5, -2.0}, {3}).requires_grad_(true);
  check_values(tg::sin(x), {0.0, 0.479425538604203, -0.9092974268256817});
  check_values(tg::cos(x), {1.0, 0.8775825618903728, -0.4161468365471424});
  tg::sum(tg::sin(x) + tg::cos(x)).backward();
  // d/dx (sin x + cos x) = cos x - sin x
  check_values(x.grad(), {1.0, 0.8775825618903728 - 0.479425538604203, -0.4161468365471424 + 0.9092974268256817});
  CHECK_ERROR(tg::sin(ints({1}, {1})), "sin");
}

TEST_CASE("softplus: values, threshold, beta and errors") {
  const Tensor x = f64s({0.0, 1.0, 25.0, -30.0}, {4}).requires_grad_(true);
  const Tensor y = tg::softplus(x);
  check_values(y, {0.6931471805599453, 1.3132616875182228, 25.0, std::exp(-30.0)}, 1e-10);
  CHECK(y.to_vector<double>()[2] == 25.0);  // linear above the threshold: exactly x
  tg::sum(y).backward();
  check_values(x.grad(), {0.5, 1 / (1 + std::exp(-1.0)), 1.0, 1 / (1 + std::exp(30.0))}, 1e-10);
  // beta = 2, threshold = 1: log(1 + e^0.5) / 2 at x = 0.25; x itself at x = 1 (beta x = 2 > 1).
  check_values(tg::softplus(f64s({0.25, 1.0}, {2}), 2.0, 1.0), {0.48703849209005334, 1.0});
  // The f32 oneDNN path (beta 1, threshold 20) agrees with the definition on both sides.
  const Tensor big = tg::full(tg::Shape{2048}, 30.0, tg::f32);
  CHECK(tg::softplus(big).to_vector<float>()[100] == doctest::Approx(30.0));
  for (const double v : {100.0, 1e6}) {  // far above exp's f32 range
    CHECK(tg::softplus(tg::full(tg::Shape{2048}, v, tg::f32)).to_vector<float>()[5] == doctest::Approx(v));
    CHECK(tg::softplus(tg::full(tg::Shape{2048}, v, tg::f32), 1.0, 50.0).to_vector<float>()[5] == doctest::Approx(v));
    CHECK(tg::softplus(tg::full(tg::Shape{2048}, -v, tg::f32)).to_vector<float>()[5] == 0.0f);
  }
  const Tensor mid = tg::full(tg::Shape{2048}, 1.0, tg::f32);
  CHECK(tg::softplus(mid).to_vector<float>()[7] == doctest::Approx(1.3132616875182228).epsilon(1e-6));
  CHECK(std::isnan(tg::softplus(tg::full(tg::Shape{2048}, std::nan(""), tg::f32)).to_vector<float>()[3]));
  CHECK_ERROR(tg::softplus(x, 0.0), "softplus: beta must be positive and finite, got 0");
  CHECK_ERROR(tg::softplus(x, -1.0), "softplus: beta must be positive and finite, got -1");
  CHECK_ERROR(tg::softplus(x, 1.0, std::nan("")), "softplus: threshold must be a number");
  CHECK_ERROR(tg::softplus(ints({1}, {1})), "softplus");
}

TEST_CASE("gelu tanh approximation: values, gradient and errors") {
  const Tensor x = f64s({1.0, -0.5}, {2}).requires_grad_(true);
  check_values(tg::gelu(x, "tanh"), {0.8411919906082768, -0.15428599017485606});
  tg::sum(tg::gelu(x, "tanh")).backward();
  CHECK(x.grad().to_vector<double>()[0] == doctest::Approx(1.0829640838457826).epsilon(1e-12));
  // "none" is the exact erf form.
  check_values(tg::gelu(x.detach(), "none"), tg::gelu(x.detach()).to_vector<double>());
  // f32 on oneDNN's gelu_tanh agrees with the f64 definition.
  CHECK(tg::gelu(tg::full(tg::Shape{4096}, 1.0, tg::f32), "tanh").to_vector<float>()[9] ==
        doctest::Approx(0.8411919906082768).epsilon(1e-6));
  CHECK_ERROR(tg::gelu(x, "Tanh"), "gelu: approximate must be \"none\" or \"tanh\", got \"Tanh\"");
  CHECK_ERROR(tg::gelu(x, ""), "gelu: approximate must be \"none\" or \"tanh\", got \"\"");
}

TEST_CASE("layer_norm: values by hand and errors") {
  const Tensor x = f64s({1, 2, 3, 4, 2, 2, 2, 2}, {2, 4});
  const double sd = std::sqrt(1.25 + 1e-5);  // mean 2.5, biased variance 1.25
  const Tensor w = f64s({1, 2, 1, 1}, {4}), b = f64s({0, 0, 0, 1}, {4});
  check_values(tg::layer_norm(x, {4}, w, b),
               {-1.5 / sd, 2 * -0.5 / sd, 0.5 / sd, 1.5 / sd + 1, 0, 0, 0, 1});
  // Over the last two dims: the whole [2, 4] sample at once (mean 2.25, variance 0.6875).
  const Tensor y = tg::layer_norm(tg::reshape(x, {1, 2, 4}), {2, 4});
  CHECK(y.to_vector<double>()[0] == doctest::Approx(-1.25 / std::sqrt(0.6875 + 1e-5)).epsilon(1e-12));
  CHECK_ERROR(tg::layer_norm(x, {3}), "layer_norm: normalized_shape [3] is not the trailing dims of the input [2, 4]");
  CHECK_ERROR(tg::layer_norm(x, {2, 4, 1}), "is not the trailing dims");
  CHECK_ERROR(tg::layer_norm(x, {}), "layer_norm: normalized_shape is empty");
  CHECK_ERROR(tg::layer_norm(x, {4}, f64s({1, 1}, {2})), "layer_norm: weight has shape [2], expected [4]");
  CHECK_ERROR(tg::layer_norm(x, {4}, {}, tg::ones({4}, tg::f32)), "layer_norm: bias is f32 [4], the input is f64");
  CHECK_ERROR(tg::layer_norm(x, {4}, {}, {}, 0.0), "layer_norm: eps must be positive, got 0");
  CHECK_ERROR(tg::layer_norm(tg::zeros({3, 0}, tg::f64), {0}), "has no elements");
  CHECK_ERROR(tg::layer_norm(ints({1, 2}, {2}), {2}), "layer_norm");
}

TEST_CASE("group_norm: values by hand and errors") {
  // [1, 4, 1], 2 groups: channels {0, 1} = {1, 2} and {2, 3} = {3, 7}.
  const Tensor x = f64s({1, 2, 3, 7}, {1, 4, 1});
  const double a = 0.5 / std::sqrt(0.25 + 1e-5), c = 2 / std::sqrt(4 + 1e-5);
  check_values(tg::group_norm(x, 2), {-a, a, -c, c});
  check_values(tg::group_norm(x, 2, f64s({1, 2, 3, 4}, {4}), f64s({0, 1, 0, 1}, {4})), {-a, 2 * a + 1, -3 * c, 4 * c + 1});
  // One group per channel of one position: every value normalizes to 0.
  check_values(tg::group_norm(x, 4), {0, 0, 0, 0});
  CHECK_ERROR(tg::group_norm(x, 3), "group_norm: 4 channels (input [1, 4, 1]) do not split into 3 groups");
  CHECK_ERROR(tg::group_norm(x, 0), "group_norm: num_groups must be positive, got 0");
  CHECK_ERROR(tg::group_norm(f64s({1, 2}, {2}), 1), "group_norm: input has 1 dims [2], expected 2 or more (N, C, *)");
  CHECK_ERROR(tg::group_norm(x, 2, f64s({1, 2}, {2})), "group_norm: weight has shape [2], expected [4] (one per channel)");
  CHECK_ERROR(tg::group_norm(x, 2, {}, {}, -1.0), "group_norm: eps must be positive, got -1");
  CHECK_ERROR(tg::group_norm(tg::zeros({2, 4, 0}, tg::f64), 2), "has no elements");
}

TEST_CASE("embedding: rows read, gradients accumulated, padding and errors") {
  const Tensor w = f64s({0, 1, 2, 3, 4, 5}, {3, 2}).requires_grad_(true);
  const Tensor idx = ints({2, 0, 2, 1}, {2, 2});
  const Tensor out = tg::embedding(idx, w);
  CHECK(out.shape() == tg::Shape{2, 2, 2});
  check_values(out, {4, 5, 0, 1, 4, 5, 2, 3});
  // Weights 1..8 per output element: row 2 receives positions 0 and 2.
  tg::sum(out * f64s({1, 2, 3, 4, 5, 6, 7, 8}, {2, 2, 2})).backward();
  check_values(w.grad(), {3, 4, 7, 8, 1 + 5, 2 + 6});

  // padding_idx 2 (and -1, the same row): read, but no gradient.
  for (std::int64_t pad : {2, -1}) {
    CAPTURE(pad);
    const Tensor wp = f64s({0, 1, 2, 3, 4, 5}, {3, 2}).requires_grad_(true);
    const Tensor o = tg::embedding(idx, wp, pad);
    check_values(o, {4, 5, 0, 1, 4, 5, 2, 3});
    tg::sum(o * 2.0).backward();
    check_values(wp.grad(), {2, 2, 2, 2, 0, 0});
  }

  CHECK_ERROR(tg::embedding(ints({0, 3}, {2}), w),
              "embedding: index 3 at position 1 of indices [2] is out of range for 3 embeddings, expected [0, 3)");
  CHECK_ERROR(tg::embedding(ints({-1}, {1}), w), "embedding: index -1 at position 0");
  CHECK_ERROR(tg::embedding(f64s({0}, {1}), w), "embedding: indices must be an i64 tensor, got f64 of shape [1]");
  CHECK_ERROR(tg::embedding(idx, f64s({1, 2}, {2})), "embedding: weight has 1 dims [2], expected 2");
  CHECK_ERROR(tg::embedding(idx, ints({1, 2}, {1, 2})), "embedding");
  CHECK_ERROR(tg::embedding(idx, w, 3), "embedding: padding_idx 3 is out of range for 3 embeddings (weight [3, 2]), expected [-3, 3)");
  CHECK_ERROR(tg::embedding(idx, w, -4), "embedding: padding_idx -4 is out of range");
}

TEST_CASE("embedding: second derivative through the padding form") {
  // loss = sum(embedding(idx, w)^2): d loss/dw = embedding_backward(2 out); its
  // gradient with respect to w is again a read of rows (diagonal 2 * count per row).
  const Tensor w = f64s({1, 2, 3, 4}, {2, 2}).requires_grad_(true);
  const Tensor idx = ints({1, 1, 0}, {3});
  const std::vector<Tensor> inputs{w};
  const Tensor gw = tg::grad(tg::sum(tg::square(tg::embedding(idx, w, 0))), inputs, true)[0];
  check_values(gw, {0, 0, 2 * 2 * 3, 2 * 2 * 4});  // row 0 is padding; row 1 read twice
  tg::sum(gw).backward();
  check_values(w.grad(), {0, 0, 4, 4});
}

TEST_CASE("cross_entropy options: class weights, ignore_index, smoothing by hand") {
  // Row 0: softmax [1, 2, 3] / 6, label 2 (loss ln 2). Row 1: uniform, label 0 (ln 3).
  // Row 2: ignored. Class weights [1, 2, 4].
  const double l2 = std::log(2.0), l3 = std::log(3.0);
  const Tensor logits = f64s({0, l2, l3, 0, 0, 0, 5, -1, 2}, {3, 3}).requires_grad_(true);
  const Tensor labels = ints({2, 0, -100}, {3});
  const Tensor w = f64s({1, 2, 4}, {3});
  tg::CrossEntropyOptions o{.weight = w, .ignore_index = -100};
  const Tensor mean = tg::cross_entropy(logits, labels, o);
  CHECK(mean.item() == doctest::Approx((4 * l2 + 1 * l3) / 5).epsilon(1e-12));  // divided by w[2] + w[0]
  o.reduction = tg::Reduction::sum;
  CHECK(tg::cross_entropy(logits, labels, o).item() == doctest::Approx(4 * l2 + l3).epsilon(1e-12));
  o.reduction = tg::Reduction::none;
  check_values(tg::cross_entropy(logits, labels, o), {4 * l2, l3, 0});
  // d mean / d logits_ij = w[y_i] / 5 (softmax_ij - [j == y_i]); 0 on the ignored row.
  mean.backward();
  check_values(logits.grad(), {0.8 / 6, 0.8 * 2 / 6, 0.8 * (0.5 - 1), 0.2 * (1.0 / 3 - 1), 0.2 / 3, 0.2 / 3, 0, 0, 0});
  // With label smoothing 0.3 (values from the f64 formula of losses.hpp worked by hand).
  o.reduction = tg::Reduction::mean;
  o.label_smoothing = 0.3;
  CHECK(tg::cross_entropy(logits, labels, o).item() == doctest::Approx(0.831005317316721).epsilon(1e-12));
  o.reduction = tg::Reduction::none;
  check_values(tg::cross_entropy(logits, labels, o), {2.616969382448252, 1.5380572041353535, 0});
}

TEST_CASE("cross_entropy options: every target ignored gives NaN and a zero gradient") {
  const Tensor logits = f64s({1, 2, 3, 4}, {2, 2}).requires_grad_(true);
  const Tensor loss = tg::cross_entropy(logits, ints({7, 7}, {2}), {.ignore_index = 7});
  CHECK(std::isnan(loss.item()));
  loss.backward();
  check_values(logits.grad(), {0, 0, 0, 0});
  CHECK(tg::cross_entropy(logits, ints({7, 7}, {2}), {.ignore_index = 7, .reduction = tg::Reduction::sum}).item() == 0);
}

TEST_CASE("cross_entropy options: the old signature and empty options agree") {
  const Tensor logits = f64s({0.3, -1, 2, 0.5, 0.1, 0.2}, {2, 3});
  const Tensor labels = ints({2, 0}, {2});
  CHECK(tg::cross_entropy(logits, labels).item() == tg::cross_entropy(logits, labels, tg::CrossEntropyOptions{}).item());
  CHECK(tg::cross_entropy(logits, labels, tg::Reduction::mean, 0.2).item() ==
        doctest::Approx(tg::cross_entropy(logits, labels, {.label_smoothing = 0.2}).item()).epsilon(1e-15));
}

TEST_CASE("cross_entropy with probability targets") {
  // logits [0, ln 3]: log_softmax = [ln 1/4, ln 3/4]; target [1/4, 3/4]: the entropy.
  const Tensor logits = f64s({0, std::log(3.0)}, {1, 2}).requires_grad_(true);
  const Tensor target = f64s({0.25, 0.75}, {1, 2}).requires_grad_(true);
  const Tensor loss = tg::cross_entropy(logits, target, tg::CrossEntropyOptions{});
  CHECK(loss.item() == doctest::Approx(0.5623351446188083).epsilon(1e-12));
  loss.backward();
  check_values(logits.grad(), {0, 0});  // softmax equals the target
  check_values(target.grad(), {std::log(4.0), -std::log(0.75)});  // d/dt_j = -log_softmax_j
  // One-hot probabilities with weights: the class-index loss per row (the mean differs:
  // N for probabilities, the weight sum for indices, as PyTorch).
  const Tensor x = f64s({0.3, -1, 2, 0.5, 0.1, 0.2}, {2, 3});
  const Tensor w = f64s({1, 2, 4}, {3});
  const Tensor onehot = f64s({0, 0, 1, 1, 0, 0}, {2, 3});
  const tg::CrossEntropyOptions none{.weight = w, .reduction = tg::Reduction::none, .label_smoothing = 0.1};
  check_values(tg::cross_entropy(x, onehot, none), tg::cross_entropy(x, ints({2, 0}, {2}), none).to_vector<double>());
  const Tensor per_row = tg::cross_entropy(x, onehot, none);
  CHECK(tg::cross_entropy(x, onehot, {.weight = w, .label_smoothing = 0.1}).item() ==
        doctest::Approx(tg::mean(per_row).item()).epsilon(1e-14));
}

TEST_CASE("cross_entropy options: errors") {
  const Tensor logits = f64s({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor labels = ints({0, 2}, {2});
  CHECK_ERROR(tg::cross_entropy(logits, labels, {.weight = f64s({1, 2}, {2})}),
              "cross_entropy: weight has shape [2], expected [3] (one per class of the logits [2, 3])");
  CHECK_ERROR(tg::cross_entropy(logits, labels, {.weight = tg::ones({3}, tg::f32)}),
              "cross_entropy: weight is f32 [3], the logits are f64 [2, 3]");
  CHECK_ERROR(tg::cross_entropy(logits, ints({0, 5}, {2}), {.ignore_index = -100}),
              "cross_entropy: label 5 at index 1 is out of range for 3 classes");
  CHECK_ERROR(tg::cross_entropy(logits, labels, {.label_smoothing = 1.5}),
              "cross_entropy: label_smoothing must be in [0, 1], got 1.5");
  CHECK_ERROR(tg::cross_entropy(logits, tg::zeros({2, 3}, tg::f64), {.ignore_index = 0}),
              "cross_entropy: ignore_index = 0 applies to class-index targets");
  CHECK_ERROR(tg::cross_entropy(logits, tg::zeros({2, 2}, tg::f64), tg::CrossEntropyOptions{}),
              "cross_entropy: probability targets have shape [2, 2], expected the logits' shape [2, 3]");
  CHECK_ERROR(tg::cross_entropy(logits, tg::zeros({2, 3}, tg::f32), tg::CrossEntropyOptions{}), "cross_entropy");
  CHECK_ERROR(tg::cross_entropy(tg::zeros({0, 3}, tg::f64), tg::zeros({0, 3}, tg::f64), tg::CrossEntropyOptions{}),
              "cross_entropy: the mean over an empty batch");
  CHECK_ERROR(tg::cross_entropy(tg::zeros({3}, tg::f64), tg::zeros({3}, tg::f64), tg::CrossEntropyOptions{}),
              "cross_entropy: logits have 1 dims [3], expected 2 (N, C)");
}

TEST_CASE("cross_entropy: a floating 1-D target is taken for mistyped labels") {
  CHECK_ERROR(tg::cross_entropy(tg::zeros({2, 3}, tg::f64), tg::zeros({2}, tg::f64), tg::CrossEntropyOptions{}),
              "cross_entropy: labels must be i64 class indices, got f64 of shape [2] (a floating target holds "
              "probabilities, with the logits' shape [2, 3])");
}

TEST_CASE("new activations keep NaN on oneDNN's f32 path and on the loops") {
  for (const auto dtype : {tg::f32, tg::f64}) {
    for (const std::int64_t n : {7, 4096}) {  // 4096: above the oneDNN threshold in f32
      std::vector<double> v(static_cast<std::size_t>(n));
      for (std::int64_t i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = 0.01 * static_cast<double>(i % 50) - 0.2;
      v[3] = std::nan("");
      const Tensor x = tg::from_vector(v, {n}).to(dtype);
      for (const Tensor& y : {tg::softplus(x), tg::softplus(x, 2.0, 1.0), tg::gelu(x, "tanh"), tg::sin(x), tg::cos(x)}) {
        const std::vector<double> out = y.to(tg::f64).to_vector<double>();
        CAPTURE(n);
        CHECK(std::isnan(out[3]));
        CHECK(std::isfinite(out[2]));
      }
    }
  }
}

TEST_CASE("cross_entropy: an ignore_index that is a class drops exactly those rows") {
  const Tensor logits = f64s({0.3, -1, 2, 0.5, 0.1, 0.2, 1, 1, -2}, {3, 3});
  const Tensor w = f64s({1, 2, 4}, {3});
  // Rows 0 and 2 have label 1 (ignored); row 1 alone remains, with label 2.
  const double kept = tg::cross_entropy(tg::slice(logits, 0, 1, 2), ints({2}, {1}), {.weight = w}).item();
  CHECK(tg::cross_entropy(logits, ints({1, 2, 1}, {3}), {.weight = w, .ignore_index = 1}).item() ==
        doctest::Approx(kept).epsilon(1e-14));
}

TEST_CASE("embedding: indices of the largest rank are refused before the output overflows the dims") {
  const Tensor idx = tg::zeros(tg::Shape{1, 1, 1, 1, 1, 1, 1, 1}, tg::i64);
  CHECK_ERROR(tg::embedding(idx, f64s({1, 2}, {1, 2})), "embedding: indices have 8 dims [1, 1, 1, 1, 1, 1, 1, 1], at most 7");
}
