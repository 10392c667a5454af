// The initialization experiment of CS231n lecture 6 (MISSION.md section 8): 1000
// random inputs through 5 fully connected layers of 100 units, for weights of std 1,
// std 0.01, Xavier and He, with sigmoid, tanh and ReLU. Prints each layer's activation
// mean, std and fraction saturated (sigmoid/tanh within 0.01 of a bound) or zero.
//
//   init_experiment [seed]
#include <fmt/format.h>

#include <cstdlib>
#include <string>
#include <tapegrad/nn/init_experiment.hpp>

int main(int argc, char** argv) {
  using namespace tg::nn;
  const std::uint64_t seed = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 0;
  fmt::print("5 layers x 100 units, 1000 N(0, 1) inputs, seed {}\n\n", seed);
  fmt::print("{:<9} {:<8} {:>5} {:>11} {:>11} {:>10} {:>7}\n", "init", "act", "layer", "mean", "std", "saturated",
             "zero");
  for (InitScheme init : {InitScheme::normal_1, InitScheme::normal_0_01, InitScheme::xavier, InitScheme::he}) {
    for (Activation activation : {Activation::sigmoid, Activation::tanh, Activation::relu}) {
      const auto layers = run_init_experiment({.init = init, .activation = activation, .seed = seed});
      for (std::size_t i = 0; i < layers.size(); ++i) {
        const ActivationStats& s = layers[i];
        fmt::print("{:<9} {:<8} {:>5} {:>11.3e} {:>11.3e} {:>9.1f}% {:>6.1f}%\n", i == 0 ? init_scheme_name(init) : "",
                   i == 0 ? activation_name(activation) : "", i + 1, s.mean, s.std, 100 * s.saturated_fraction,
                   100 * s.zero_fraction);
      }
    }
    fmt::print("\n");
  }
  return 0;
}
