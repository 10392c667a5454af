// bernoulli, dropout, uniform_ and normal_: statistics with fixed seeds (so every
// number below is deterministic; tolerances are stated against the sampling error),
// reproducibility across thread counts, replay under gradcheck, and errors.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include <tapegrad/ops/random_ops.hpp>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"

using tg::Tensor;

namespace {

double fraction_of_zeros(const Tensor& t) {
  const auto v = t.to_vector<double>();
  return static_cast<double>(std::count(v.begin(), v.end(), 0.0)) / static_cast<double>(v.size());
}

// Restores the thread count a test changed.
struct ThreadCount {
  int saved = tg::get_num_threads();
  ~ThreadCount() { tg::set_num_threads(saved); }
};

}  // namespace

TEST_CASE("bernoulli: 0/1 with probability p, the same mask in every dtype") {
  tg::Generator a(1), b(1), c(1);
  const Tensor m32 = tg::bernoulli({100000}, 0.3, tg::f32, &a);
  const Tensor m64 = tg::bernoulli({100000}, 0.3, tg::f64, &b);
  const Tensor mi = tg::bernoulli({100000}, 0.3, tg::i64, &c);
  CHECK(m32.to_vector<double>() == m64.to_vector<double>());
  CHECK(mi.to_vector<double>() == m64.to_vector<double>());
  // Fraction of ones: sampling sd sqrt(0.21 / 1e5) = 0.0014; allow 5 sd.
  CHECK(std::abs(1 - fraction_of_zeros(m64) - 0.3) < 0.007);
  for (double v : m64.to_vector<double>()) REQUIRE((v == 0 || v == 1));
  CHECK(fraction_of_zeros(tg::bernoulli({1000}, 0.0, tg::f32, &a)) == 1);
  CHECK(fraction_of_zeros(tg::bernoulli({1000}, 1.0, tg::f32, &a)) == 0);
  CHECK_ERROR(tg::bernoulli({2}, 1.5), "bernoulli: p must be in [0, 1], got 1.5");
  CHECK_ERROR(tg::bernoulli({2}, -0.1), "bernoulli: p must be in [0, 1], got -0.1");
}

TEST_CASE("dropout in eval, with p = 0 and with p = 1") {
  tg::Generator gen(2);
  const Tensor x = tg::randn({5, 7}, tg::f32, &gen);
  const auto before = gen.state().offset;
  const Tensor e = tg::dropout(x, 0.5, /*training=*/false, &gen);
  CHECK(e.same(x));  // exactly the input, no copy
  CHECK(tg::dropout(x, 0.0, true, &gen).same(x));
  CHECK(gen.state().offset == before);  // neither drew from the stream
  Tensor xg = x.detach().requires_grad_();
  Tensor z = tg::dropout(xg, 1.0, true, &gen);
  CHECK(fraction_of_zeros(z) == 1);
  tg::sum(z).backward();
  CHECK(fraction_of_zeros(xg.grad()) == 1);
  for (double p : {-0.01, 1.01, std::nan("")})
    CHECK_ERROR(tg::dropout(x, p, true, &gen), "dropout: p must be in [0, 1], got");
  CHECK_ERROR(tg::dropout(x, 2.0, false), "dropout: p must be in [0, 1], got 2");
  CHECK_ERROR(tg::dropout(tg::arange(3), 0.5), "dropout: expected a floating tensor (f32 or f64), got i64");
}

TEST_CASE("dropout in training: zeros with probability p, kept values scaled by 1/(1-p), mean preserved") {
  const double p = 0.3;
  tg::Generator gen(7);
  // 20000 draws of each of three inputs.
  const Tensor x = tg::from_vector(std::vector<double>{0.5, -2.0, 3.0}, {3});
  Tensor xg = tg::expand(x, {20000, 3}).detach().requires_grad_();
  Tensor y = tg::dropout(xg, p, true, &gen);
  // Fraction of zeros: sampling sd sqrt(0.21 / 60000) = 0.0019; allow 5 sd.
  CHECK(std::abs(fraction_of_zeros(y) - p) < 0.01);
  const auto yv = y.to_vector<double>();
  for (std::size_t i = 0; i < yv.size(); ++i) {
    const double xi = x.to_vector<double>()[i % 3];
    REQUIRE((yv[i] == 0 || std::abs(yv[i] - xi / (1 - p)) < 1e-15));
  }
  // Mean of the outputs per input: sampling sd |x| sqrt(p / (1 - p) / 20000) = 0.0046 |x|; allow 5 sd.
  const auto means = tg::mean(y, {0}).to_vector<double>();
  const auto xv = x.to_vector<double>();
  for (std::size_t k = 0; k < 3; ++k) CHECK(std::abs(means[k] - xv[k]) < 0.025 * std::abs(xv[k]));
  // The gradient is the same mask: 0 or 1/(1-p).
  tg::sum(y).backward();
  const auto gv = xg.grad().to_vector<double>();
  for (std::size_t i = 0; i < gv.size(); ++i) REQUIRE(gv[i] == (yv[i] == 0 ? 0 : 1 / (1 - p)));
}

TEST_CASE("dropout and the fills are reproducible from a seed across thread counts") {
  ThreadCount restore;
  const Tensor x = tg::ones({300000});  // big enough for the draw to run on several threads
  auto draw = [&](int threads) {
    tg::set_num_threads(threads);
    tg::Generator gen(42);
    std::vector<float> out = tg::dropout(x, 0.4, true, &gen).to_vector<float>();
    const auto u = tg::uniform_(tg::empty({70000}), -1, 1, &gen).to_vector<float>();
    const auto n = tg::normal_(tg::empty({70000}), 2, 3, &gen).to_vector<float>();
    out.insert(out.end(), u.begin(), u.end());
    out.insert(out.end(), n.begin(), n.end());
    return out;
  };
  const auto one = draw(1);
  const auto two = draw(2);
  CHECK(one == two);
  // The default generator: manual_seed replays the same mask.
  tg::manual_seed(9);
  const auto m1 = tg::dropout(x, 0.5).to_vector<float>();
  tg::manual_seed(9);
  CHECK(tg::dropout(x, 0.5).to_vector<float>() == m1);
  CHECK(tg::dropout(x, 0.5).to_vector<float>() != m1);  // the stream moved on
}

TEST_CASE("gradcheck replays the default generator: dropout's mask is the same in every evaluation") {
  tg::Generator gen(3);
  const Tensor x = tg::randn({4, 6}, tg::f64, &gen);
  auto fn = [](const std::vector<Tensor>& xs) { return tg::dropout(xs[0] * xs[0], 0.4, true); };
  tg::GradcheckOptions options;
  options.seed = 5;
  CHECK(tg::gradcheck(fn, {x}, options).passed());
  CHECK(tg::gradgradcheck(fn, {x}, options).passed());
}

TEST_CASE("uniform_ and normal_ fill in place, bump the version, match uniform/randn") {
  Tensor t = tg::zeros({200000}, tg::f64);
  const auto v0 = t.version();
  tg::Generator a(4), b(4);
  tg::uniform_(t, -2, 3, &a);
  CHECK(t.version() > v0);
  CHECK(t.to_vector<double>() == tg::uniform({200000}, -2, 3, tg::f64, &b).to_vector<double>());
  const auto u = t.to_vector<double>();
  CHECK(*std::min_element(u.begin(), u.end()) >= -2);
  CHECK(*std::max_element(u.begin(), u.end()) < 3);

  const auto v1 = t.version();
  tg::normal_(t, 1.5, 0.5, &a);
  CHECK(t.version() > v1);
  double mean = 0, var = 0;
  const auto n = t.to_vector<double>();
  for (double v : n) mean += v / static_cast<double>(n.size());
  for (double v : n) var += (v - mean) * (v - mean) / static_cast<double>(n.size());
  // sd of the sample mean 0.5 / sqrt(2e5) = 0.0011; of the variance ~0.25 sqrt(2 / 2e5) = 0.0008.
  CHECK(std::abs(mean - 1.5) < 0.006);
  CHECK(std::abs(var - 0.25) < 0.004);

  // A non-contiguous view is filled in its own (row-major) element order.
  Tensor m = tg::zeros({3, 4});
  tg::Generator c(8), d(8);
  tg::uniform_(tg::transpose(m, 0, 1), 0, 1, &c);
  CHECK(tg::transpose(m, 0, 1).contiguous().to_vector<float>() == tg::rand({4, 3}, tg::f32, &d).to_vector<float>());

  // A value saved for backward and then refilled is caught.
  Tensor w = tg::ones({3}).requires_grad_();
  Tensor h = tg::zeros({3});
  Tensor y = tg::sum(w * h);
  tg::normal_(h);
  CHECK_ERROR(y.backward(), "modified in place");

  CHECK_ERROR(tg::uniform_(t, 2, 1), "uniform_: low = 2 is greater than high = 1");
  CHECK_ERROR(tg::normal_(t, 0, -1), "normal_: std must be finite and non-negative, got -1");
  CHECK_ERROR(tg::uniform_(tg::arange(3)), "uniform_: expected a floating tensor (f32 or f64), got i64 of shape [3]");
  CHECK_ERROR(tg::normal_(tg::arange(3)), "normal_: expected a floating tensor (f32 or f64), got i64 of shape [3]");
}
