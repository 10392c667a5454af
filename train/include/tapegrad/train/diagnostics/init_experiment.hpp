#pragma once
// The initialization experiment of CS231n lecture 6: push random inputs
// through a deep stack of fully connected layers and look at each layer's activations.
// Too small weights make them collapse to zero, too large ones saturate tanh and
// sigmoid, Xavier keeps tanh healthy and He keeps ReLU healthy.
#include <cstdint>
#include <string_view>
#include <vector>

#include <tapegrad/tensor.hpp>

namespace tg::train {

enum class Activation { sigmoid, tanh, relu };
std::string_view activation_name(Activation activation);

enum class InitScheme {
  normal_1,     // N(0, 1)
  normal_0_01,  // N(0, 0.01^2), the "small random numbers" of the notes
  xavier,       // std 1 / sqrt(fan_in)
  he,           // std sqrt(2 / fan_in)
};
std::string_view init_scheme_name(InitScheme scheme);

struct ActivationStats {
  double mean = 0;
  double std = 0;
  // Within 0.01 of a bound the gradient vanishes: sigmoid < 0.01 or > 0.99, tanh
  // |a| > 0.99; always 0 for ReLU (which has no upper bound).
  double saturated_fraction = 0;
  double zero_fraction = 0;  // exactly 0 (dead ReLU units)
};
ActivationStats activation_stats(const Tensor& activations, Activation activation);

struct InitExperiment {
  InitScheme init = InitScheme::he;
  Activation activation = Activation::relu;
  int layers = 5;
  std::int64_t units = 100;
  std::int64_t inputs = 1000;  // rows of the N(0, 1) input
  std::uint64_t seed = 0;
};
// Each layer's output (inputs x units), first layer first: what the histograms show.
std::vector<Tensor> init_experiment_activations(const InitExperiment& experiment);
// The statistics of each layer's output, first layer first.
std::vector<ActivationStats> run_init_experiment(const InitExperiment& experiment);

}  // namespace tg::train
