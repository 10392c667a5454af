// nn regularizers (docs/formulas.md, Regularization): train/eval behaviour, with fixed seeds and
// stated tolerances for the statistical facts.
#include <doctest/doctest.h>

#include <cmath>
#include <tapegrad/nn/nn.hpp>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"

using tg::Tensor;
using namespace tg::nn;
using std::make_shared;

// Approx(x).epsilon(r).scale(0) is a relative tolerance r (doctest's default scale of 1
// would add r as an absolute tolerance, too loose for small values).
namespace {

std::vector<float> values(const Tensor& t) { return t.to_vector<float>(); }

double mean_of(const std::vector<float>& v) {
  double s = 0;
  for (float x : v) s += x;
  return s / static_cast<double>(v.size());
}

}  // namespace

TEST_CASE("nn Dropout p=0.3: inverted scaling keeps the mean within 1% over 200k elements") {
  tg::Generator gen(100);
  Dropout dropout(0.3, &gen);
  const Tensor x = tg::ones({200, 1000});
  const auto out = values(dropout(x));
  CHECK(mean_of(out) == doctest::Approx(1.0).epsilon(0.01).scale(0));
  std::int64_t zeros = 0, badly_scaled = 0;
  for (float v : out) {
    if (v == 0) ++zeros;
    else if (v != doctest::Approx(1 / 0.7)) ++badly_scaled;  // kept ones are scaled by 1 / (1 - p)
  }
  CHECK(badly_scaled == 0);
  // sigma of the dropped fraction: sqrt(0.3 * 0.7 / 200000) ~ 0.001; 5 sigma.
  CHECK(static_cast<double>(zeros) / 200000.0 == doctest::Approx(0.3).epsilon(0.005 / 0.3).scale(0));
  CHECK(values(dropout(x)) != out);  // a fresh mask each forward
  tg::Generator replay(100);
  (void)tg::dropout(x, 0.3, true, &replay);  // the first forward's draw
  const Tensor small = tg::randn({3, 4});
  tg::Generator module_gen = replay;
  Dropout same_stream(0.3, &module_gen);
  CHECK(values(same_stream(small)) == values(tg::dropout(small, 0.3, true, &replay)));  // exactly the op
}

TEST_CASE("nn Dropout in eval is exactly the identity") {
  Dropout dropout(0.5);
  dropout.eval();
  const Tensor x = tg::randn({4, 5});
  CHECK(dropout(x).same(x));
  CHECK(Dropout(0.0)(x).to_vector<float>() == x.to_vector<float>());
  CHECK_ERROR(Dropout(1.5), "Dropout: p must be in [0, 1], got 1.5");
}

TEST_CASE("nn DropConnect: gradient only reaches kept weights, scaled by 1 / (1 - p)") {
  tg::manual_seed(8);
  auto linear = make_shared<Linear>(50, 40);
  tg::Generator gen(9);
  DropConnect layer(linear, 0.5, &gen);
  CHECK(layer.named_parameters().size() == 2);
  CHECK(layer.named_parameters()[0].first == "linear.weight");
  const Tensor x = tg::randn({8, 50});
  const Tensor r = tg::randn({8, 40});

  layer.eval();
  const Tensor eval_out = layer(x);
  CHECK(values(eval_out) == values(tg::linear(x, linear->weight(), linear->bias())));
  tg::sum(eval_out * r).backward();
  const auto full_grad = values(linear->weight().grad());
  Tensor(linear->weight()).set_grad(Tensor{});

  layer.train();
  tg::sum(layer(x) * r).backward();
  const auto first = values(linear->weight().grad());
  Tensor(linear->weight()).set_grad(Tensor{});
  tg::sum(layer(x) * r).backward();
  const auto second = values(linear->weight().grad());

  std::int64_t dropped = 0, differ = 0;
  for (std::size_t i = 0; i < first.size(); ++i) {
    REQUIRE(full_grad[i] != 0);
    if (first[i] == 0) ++dropped;
    else CHECK(first[i] == doctest::Approx(full_grad[i] * 2).epsilon(1e-5).scale(0));
    if ((first[i] == 0) != (second[i] == 0)) ++differ;
  }
  // 2000 weights, p = 0.5: sigma of the dropped fraction ~ 0.011; 3 sigma.
  CHECK(static_cast<double>(dropped) / 2000.0 == doctest::Approx(0.5).epsilon(0.034 / 0.5).scale(0));
  CHECK(differ > 500);  // the two forwards drew different masks (expected ~1000)
  CHECK(linear->bias().grad().defined());
  CHECK_ERROR(DropConnect(linear, -0.1), "DropConnect: p must be in [0, 1], got -0.1");
  CHECK_ERROR(DropConnect(nullptr), "DropConnect: the Linear is null");
}

TEST_CASE("nn StochasticDepth row mode: whole samples keep or drop the branch, survival ~ 1 - p") {
  tg::Generator gen(12);
  const double p = 0.2;
  StochasticDepth block(make_shared<Tanh>(), p, StochasticDepthMode::row, &gen);
  const std::int64_t rows = 20000;
  const Tensor x = tg::ones({rows, 3});
  const auto out = values(block(x));
  const float kept_value = static_cast<float>(1 + std::tanh(1.0) / (1 - p));
  std::int64_t kept = 0, bad_rows = 0;
  for (std::int64_t r = 0; r < rows; ++r) {
    const float v = out[static_cast<std::size_t>(3 * r)];
    const bool row_kept = v != 1.0f;
    kept += row_kept;
    if (row_kept && v != doctest::Approx(kept_value)) ++bad_rows;
    for (int c = 1; c < 3; ++c) bad_rows += out[static_cast<std::size_t>(3 * r + c)] != v;  // whole rows only
  }
  CHECK(bad_rows == 0);
  // sigma = sqrt(0.8 * 0.2 / 20000) ~ 0.0028; 3 sigma.
  CHECK(std::abs(static_cast<double>(kept) / rows - (1 - p)) < 3 * std::sqrt(p * (1 - p) / rows));

  block.eval();
  CHECK(values(block(x)) == values(x + tg::tanh(x)));
  CHECK(block.named_children()[0].first == "branch");
}

TEST_CASE("nn StochasticDepth batch mode: one draw per forward, survival ~ 1 - p") {
  tg::Generator gen(13);
  const double p = 0.2;
  StochasticDepth block(make_shared<Tanh>(), p, StochasticDepthMode::batch, &gen);
  const Tensor x = tg::ones({2, 3});
  const int trials = 10000;
  int kept = 0;
  for (int t = 0; t < trials; ++t) {
    const auto out = values(block(x));
    const bool all_kept = std::all_of(out.begin(), out.end(), [](float v) { return v != 1.0f; });
    const bool all_dropped = std::all_of(out.begin(), out.end(), [](float v) { return v == 1.0f; });
    REQUIRE((all_kept || all_dropped));
    kept += all_kept;
  }
  // sigma = sqrt(10000 * 0.8 * 0.2) = 40 forwards; 3 sigma.
  CHECK(std::abs(kept - trials * (1 - p)) < 3 * std::sqrt(trials * p * (1 - p)));
  CHECK_ERROR(StochasticDepth(make_shared<Tanh>(), 2.0), "StochasticDepth: p must be in [0, 1], got 2");
  CHECK_ERROR(StochasticDepth(nullptr, 0.5), "StochasticDepth: the branch is null");
  CHECK_ERROR(StochasticDepth(make_shared<Tanh>(), 0.5)(tg::scalar_tensor(1.0)),
              "StochasticDepth: row mode needs a batch dim, got a scalar input");
}

TEST_CASE("nn BatchNorm1d training: batch statistics, running stats by the PyTorch convention") {
  BatchNorm1d bn(2);
  // channel 0: 1, 3, 5 (mean 3, biased var 8/3, unbiased 4);
  // channel 1: 10, 20, 60 (mean 30, biased var 1400/3, unbiased 700).
  const Tensor x = tg::from_vector(std::vector<float>{1, 10, 3, 20, 5, 60}, {3, 2});
  const auto y = values(bn(x));
  CHECK(y[0] == doctest::Approx(-2 / std::sqrt(8.0 / 3 + 1e-5)));
  CHECK(y[5] == doctest::Approx(30 / std::sqrt(1400.0 / 3 + 1e-5)));
  const auto running_mean = values(bn.running_mean()), running_var = values(bn.running_var());
  CHECK(running_mean[0] == doctest::Approx(0.3));
  CHECK(running_mean[1] == doctest::Approx(3.0));
  CHECK(running_var[0] == doctest::Approx(0.9 + 0.4));
  CHECK(running_var[1] == doctest::Approx(0.9 + 70));
  CHECK(bn.num_batches_tracked() == 1);

  bn.eval();
  const Tensor probe = tg::from_vector(std::vector<float>{1.6f, 3.0f}, {1, 2});
  const auto z = values(bn(probe));
  CHECK(z[0] == doctest::Approx(1.3 / std::sqrt(1.3 + 1e-5)));
  CHECK(z[1] == doctest::Approx(0.0));
  CHECK(bn.num_batches_tracked() == 1);  // eval does not count
  CHECK(values(bn.running_mean())[0] == doctest::Approx(0.3));  // nor update
}

TEST_CASE("nn BatchNorm2d equals the op, has gamma=1 / beta=0 and the PyTorch state keys") {
  tg::manual_seed(14);
  BatchNorm2d bn(3);
  const Tensor x = tg::randn({4, 3, 5, 5});
  CHECK(values(bn(x)) == values(tg::batch_norm(x, tg::ones({3}), tg::zeros({3}), {}, {}, true)));
  CHECK(values(bn.weight()) == std::vector<float>{1, 1, 1});
  CHECK(values(bn.bias()) == std::vector<float>{0, 0, 0});
  std::vector<std::string> keys;
  for (const auto& entry : bn.state_dict()) keys.push_back(entry.first);
  CHECK(keys == std::vector<std::string>{"bias", "num_batches_tracked", "running_mean", "running_var", "weight"});

  tg::sum(bn(x) * tg::randn({4, 3, 5, 5})).backward();
  CHECK(bn.weight().grad().defined());
  CHECK(bn.bias().grad().defined());

  // The running statistics travel with the state dict: eval outputs agree after a load.
  bn.eval();
  BatchNorm2d fresh(3);
  fresh.load_state_dict(bn.state_dict());
  fresh.eval();
  CHECK(values(fresh(x)) == values(bn(x)));
  CHECK(fresh.num_batches_tracked() == 2);
}

TEST_CASE("nn BatchNorm without affine or tracking: no parameters or buffers, eval uses batch stats") {
  BatchNorm2d bn(2, BatchNormOptions{.affine = false, .track_running_stats = false});
  CHECK(bn.named_parameters().empty());
  CHECK(bn.named_buffers().empty());
  const Tensor x = tg::randn({3, 2, 4, 4});
  const auto trained = values(bn(x));
  bn.eval();
  CHECK(values(bn(x)) == trained);
  CHECK(bn.name() == "BatchNorm2d(2, eps=1e-05, momentum=0.1, affine=false, track_running_stats=false)");
}

TEST_CASE("nn BatchNorm argument and input errors") {
  CHECK_ERROR(BatchNorm2d(3)(tg::zeros({4, 3})), "BatchNorm2d(3, eps=1e-05, momentum=0.1): input has 2 dims [4, 3], expected 4 (N, C, H, W)");
  CHECK_ERROR(BatchNorm1d(3)(tg::zeros({4, 5})), "input [4, 5] has 5 channels (dim 1), expected 3");
  CHECK_ERROR(BatchNorm1d(0), "BatchNorm1d: num_features must be positive, got 0");
  CHECK_ERROR(BatchNorm1d(2, BatchNormOptions{.eps = 0}), "BatchNorm1d: eps must be positive, got 0");
  CHECK_ERROR(BatchNorm2d(2, BatchNormOptions{.momentum = 2}), "BatchNorm2d: momentum must be in [0, 1], got 2");
}
