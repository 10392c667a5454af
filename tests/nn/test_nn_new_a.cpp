// Layers of the new ops, set A: LayerNorm, GroupNorm, Embedding, GELU, Softplus, and
// BatchNorm's cumulative average (momentum = none) with its checkpoint compatibility.
#include <doctest/doctest.h>

#include <cmath>
#include <optional>

#include <tapegrad/nn/nn.hpp>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"

namespace {

using tg::Tensor;

std::vector<double> values(const Tensor& t) { return t.to(tg::f64).to_vector<double>(); }

}  // namespace

TEST_CASE("nn LayerNorm: parameters, forward equals the op, errors") {
  tg::nn::LayerNorm ln({3, 4});
  CHECK(ln.weight().shape() == tg::Shape{3, 4});
  CHECK(values(ln.weight()) == std::vector<double>(12, 1.0));
  CHECK(values(ln.bias()) == std::vector<double>(12, 0.0));
  CHECK(ln.named_parameters().size() == 2);
  CHECK(ln.to_string() == "LayerNorm([3, 4], eps=1e-05)");
  const Tensor x = tg::randn({2, 3, 4});
  CHECK(values(ln(x)) == values(tg::layer_norm(x, {3, 4}, ln.weight(), ln.bias())));
  tg::sum(ln(x) * tg::randn({2, 3, 4})).backward();
  CHECK(ln.weight().grad().defined());
  tg::nn::LayerNorm plain({4}, 1e-3, false);
  CHECK(plain.named_parameters().empty());
  CHECK(plain.to_string() == "LayerNorm([4], eps=0.001, elementwise_affine=false)");
  CHECK_ERROR(tg::nn::LayerNorm({}), "LayerNorm: normalized_shape is empty");
  CHECK_ERROR(tg::nn::LayerNorm({3, 0}), "LayerNorm: normalized_shape [3, 0] must have positive sizes");
  CHECK_ERROR(tg::nn::LayerNorm({3}, 0.0), "LayerNorm: eps must be positive, got 0");
  CHECK_ERROR(ln(tg::randn({2, 4, 3})), "layer_norm: normalized_shape [3, 4] is not the trailing dims of the input [2, 4, 3]");
}

TEST_CASE("nn GroupNorm: parameters, forward equals the op, errors") {
  tg::nn::GroupNorm gn(2, 4);
  CHECK(gn.weight().shape() == tg::Shape{4});
  CHECK(gn.to_string() == "GroupNorm(2, 4, eps=1e-05)");
  const Tensor x = tg::randn({3, 4, 5, 5});
  CHECK(values(gn(x)) == values(tg::group_norm(x, 2, gn.weight(), gn.bias())));
  CHECK(tg::nn::GroupNorm(4, 4, 1e-5, false).named_parameters().empty());
  CHECK_ERROR(tg::nn::GroupNorm(3, 4), "GroupNorm: 4 channels do not split into 3 groups");
  CHECK_ERROR(tg::nn::GroupNorm(0, 4), "GroupNorm: num_groups and num_channels must be positive, got num_groups 0");
  CHECK_ERROR(tg::nn::GroupNorm(2, 4, 0.0), "GroupNorm: eps must be positive, got 0");
  CHECK_ERROR(gn(tg::randn({3, 6, 2})), "input [3, 6, 2] has 6 channels (dim 1), expected 4");
  CHECK_ERROR(gn(tg::randn({3})), "has 0 channels (dim 1), expected 4");
}

TEST_CASE("nn Embedding: N(0, 1) table, zero padding row without gradient, errors") {
  tg::Generator gen(3);
  tg::nn::Embedding emb(10, 4, -1, &gen);
  CHECK(emb.padding_idx() == std::optional<std::int64_t>(9));
  CHECK(emb.weight().shape() == tg::Shape{10, 4});
  CHECK(emb.to_string() == "Embedding(10, 4, padding_idx=9)");
  const std::vector<double> w = values(emb.weight());
  for (int j = 0; j < 4; ++j) CHECK(w[36 + j] == 0.0);  // the padding row starts at zero
  double sq = 0;
  for (int i = 0; i < 36; ++i) sq += w[static_cast<std::size_t>(i)] * w[static_cast<std::size_t>(i)];
  CHECK(sq / 36 > 0.3);  // unit-variance normal, not a small init
  CHECK(sq / 36 < 3.0);
  const Tensor idx = tg::from_vector(std::vector<std::int64_t>{9, 2, 2}, {3});
  const Tensor out = emb(idx);
  CHECK(out.shape() == tg::Shape{3, 4});
  tg::sum(out).backward();
  const std::vector<double> g = values(emb.weight().grad());
  CHECK(g[9 * 4] == 0.0);
  CHECK(g[2 * 4] == 2.0);  // read twice
  CHECK(g[0] == 0.0);
  CHECK_ERROR(tg::nn::Embedding(0, 4), "Embedding: sizes must be positive, got num_embeddings 0, embedding_dim 4");
  CHECK_ERROR(tg::nn::Embedding(5, 4, 5), "Embedding: padding_idx 5 is out of range for 5 embeddings, expected [-5, 5)");
  CHECK_ERROR(emb(tg::from_vector(std::vector<std::int64_t>{10}, {1})), "embedding: index 10 at position 0");
}

TEST_CASE("nn GELU and Softplus modules") {
  const Tensor x = tg::randn({3, 5});
  CHECK(values(tg::nn::GELU()(x)) == values(tg::gelu(x)));
  CHECK(values(tg::nn::GELU("tanh")(x)) == values(tg::gelu(x, "tanh")));
  CHECK(tg::nn::GELU("tanh").to_string() == "GELU(approximate=tanh)");
  CHECK(tg::nn::GELU().to_string() == "GELU()");
  CHECK_ERROR(tg::nn::GELU("fast"), "GELU: approximate must be \"none\" or \"tanh\", got \"fast\"");
  CHECK(values(tg::nn::Softplus(2.0, 5.0)(x)) == values(tg::softplus(x, 2.0, 5.0)));
  CHECK(tg::nn::Softplus().to_string() == "Softplus(beta=1, threshold=20)");
  CHECK_ERROR(tg::nn::Softplus(0.0), "Softplus: beta must be positive and finite, got 0");
}

TEST_CASE("nn BatchNorm momentum none: the cumulative average of the batch statistics") {
  tg::nn::BatchNorm1d bn(1, tg::nn::BatchNormOptions{.momentum = std::nullopt});
  CHECK(bn.to_string() == "BatchNorm1d(1, eps=1e-05, momentum=none)");
  // Batches [1, 3], [5, 9], [0, 0]: means 2, 7, 0; unbiased variances 2, 8, 0.
  for (const auto& batch : {std::vector<float>{1, 3}, std::vector<float>{5, 9}, std::vector<float>{0, 0}})
    bn(tg::from_vector(batch, {2, 1}));
  CHECK(bn.num_batches_tracked() == 3);
  CHECK(values(bn.running_mean())[0] == doctest::Approx(3.0));        // (2 + 7 + 0) / 3
  CHECK(values(bn.running_var())[0] == doctest::Approx(10.0 / 3.0));  // (2 + 8 + 0) / 3
  // After one batch the running statistics are that batch's (the first factor is 1).
  tg::nn::BatchNorm1d first(1, tg::nn::BatchNormOptions{.momentum = std::nullopt});
  first(tg::from_vector(std::vector<float>{5, 9}, {2, 1}));
  CHECK(values(first.running_mean())[0] == doctest::Approx(7.0));
  CHECK(values(first.running_var())[0] == doctest::Approx(8.0));
  // eval neither counts nor updates.
  first.eval();
  first(tg::from_vector(std::vector<float>{100, 200}, {2, 1}));
  CHECK(first.num_batches_tracked() == 1);
  CHECK(values(first.running_mean())[0] == doctest::Approx(7.0));
  CHECK_ERROR(tg::nn::BatchNorm2d(2, tg::nn::BatchNormOptions{.momentum = -0.5}),
              "BatchNorm2d: momentum must be in [0, 1], got -0.5");
}

TEST_CASE("nn BatchNorm momentum none: a state dict without num_batches_tracked") {
  tg::nn::BatchNorm1d trained(1, tg::nn::BatchNormOptions{.momentum = std::nullopt});
  trained(tg::from_vector(std::vector<float>{1, 3}, {2, 1}));
  trained(tg::from_vector(std::vector<float>{5, 9}, {2, 1}));
  auto state = trained.state_dict();
  state.erase("num_batches_tracked");  // as written by a version without the counter
  // Strict loading names the missing counter.
  tg::nn::BatchNorm1d strict(1, tg::nn::BatchNormOptions{.momentum = std::nullopt});
  CHECK_ERROR(strict.load_state_dict(state), "num_batches_tracked");
  // Non-strict loading keeps the statistics and reports the counter missing; the count
  // restarts at 0, so the next training batch starts a new average.
  tg::nn::BatchNorm1d loose(1, tg::nn::BatchNormOptions{.momentum = std::nullopt});
  const auto result = loose.load_state_dict(state, false);
  CHECK(result.missing_keys == std::vector<std::string>{"num_batches_tracked"});
  CHECK(values(loose.running_mean())[0] == doctest::Approx(4.5));
  CHECK(loose.num_batches_tracked() == 0);
  loose(tg::from_vector(std::vector<float>{0, 0}, {2, 1}));
  CHECK(values(loose.running_mean())[0] == doctest::Approx(0.0));
  CHECK(loose.num_batches_tracked() == 1);
}
