// The CS231n initialization experiment (train/diagnostics/init_experiment.hpp): the facts its
// histograms show, on 5 layers of 100 units and 1000 inputs (seed 0).
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.hpp>
#include <tapegrad/train/diagnostics/init_experiment.hpp>

using namespace tg::train;

TEST_CASE("train init experiment: std 0.01 with tanh collapses (last layer std < 1e-3 of the first)") {
  const auto layers = run_init_experiment({.init = InitScheme::normal_0_01, .activation = Activation::tanh});
  REQUIRE(layers.size() == 5);
  CHECK(layers.back().std < 1e-3 * layers.front().std);
}

TEST_CASE("train init experiment: std 1 with tanh saturates most units in every layer") {
  for (const auto& s : run_init_experiment({.init = InitScheme::normal_1, .activation = Activation::tanh}))
    CHECK(s.saturated_fraction > 0.5);
}

TEST_CASE("train init experiment: He with ReLU keeps the std within a factor 2 across layers") {
  const auto layers = run_init_experiment({.init = InitScheme::he, .activation = Activation::relu});
  for (const auto& s : layers) {
    CHECK(s.std < 2 * layers.front().std);
    CHECK(s.std > 0.5 * layers.front().std);
    CHECK(s.zero_fraction > 0.4);  // about half the units are off
    CHECK(s.zero_fraction < 0.6);
  }
}

TEST_CASE("train init experiment: Xavier with ReLU halves the variance each layer") {
  // Var doubles with He's factor 2; without it the second moment halves per layer, so
  // the std shrinks by about 1/sqrt(2) per layer: ~0.25 after 4 more layers.
  const auto layers = run_init_experiment({.init = InitScheme::xavier, .activation = Activation::relu});
  const double ratio = layers.back().std / layers.front().std;
  CHECK(ratio > 0.15);
  CHECK(ratio < 0.4);
}

TEST_CASE("train activation_stats: hand-computed values") {
  const auto t = tg::from_vector(std::vector<float>{0.0f, 0.005f, 0.5f, 0.995f}, {4});
  const ActivationStats s = activation_stats(t, Activation::sigmoid);
  CHECK(s.mean == doctest::Approx(1.5 / 4));
  CHECK(s.saturated_fraction == 0.75);
  CHECK(s.zero_fraction == 0.25);
  CHECK(activation_stats(t, Activation::relu).saturated_fraction == 0.0);
  CHECK_THROWS_WITH_AS(run_init_experiment({.layers = 0}),
                       doctest::Contains("run_init_experiment: layers, units and inputs must be positive"), tg::Error);
  CHECK_THROWS_WITH_AS(activation_stats(tg::zeros({0, 3}), Activation::relu),
                       doctest::Contains("activation_stats: the tensor is empty ([0, 3])"), tg::Error);
}
