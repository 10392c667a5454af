// The initialization experiment of CS231n lecture 6: 1000 random inputs through 5 fully
// connected layers of 100 units, for weights of std 1, std 0.01, Xavier and He, with
// sigmoid, tanh and ReLU. Prints each layer's activation mean, std and fraction saturated
// (sigmoid/tanh within 0.01 of a bound) or zero, and writes an HTML page with the
// histograms of every layer's activations per configuration.
//
//   init_experiment [--report FILE] [SEED]
#include <fmt/format.h>

#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>

#include <tapegrad/error.hpp>
#include <tapegrad/train/diagnostics/init_experiment.hpp>
#include <tapegrad/train/diagnostics/init_experiment_report.hpp>

namespace {

constexpr std::string_view kUsage =
    "Usage: init_experiment [--report FILE] [SEED]\n"
    "The weight-initialization experiment: 1000 N(0, 1) inputs through 5 layers of 100 units, for\n"
    "weights of std 1, std 0.01, Xavier and He, with sigmoid, tanh and ReLU.\n"
    "Prints each layer's activation mean, std and fraction saturated or zero, and writes an HTML\n"
    "report with the histograms of every layer's activations.\n\n"
    "  SEED           seed of the inputs and weights (default 0)\n"
    "  --report FILE  the HTML report (default init_experiment.html; \"\": none)\n"
    "  -h, --help     print this help and exit\n";

struct Arguments {
  std::uint64_t seed = 0;
  std::string report = "init_experiment.html";
  bool help = false;
};

Arguments parse(int argc, char** argv) {
  Arguments a;
  bool seed_given = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      a.help = true;
    } else if (arg == "--report") {
      TG_CHECK(i + 1 < argc, "init_experiment: --report expects a file name");
      a.report = argv[++i];
    } else {
      std::size_t used = 0;
      std::uint64_t seed = 0;
      try {
        seed = std::stoull(std::string(arg), &used);
      } catch (const std::exception&) {
        used = 0;
      }
      TG_CHECK(!seed_given && !arg.starts_with("-") && used == arg.size() && !arg.empty(),
               "init_experiment: unexpected argument '{}'; expected [--report FILE] [SEED] (a seed is a whole number "
               ">= 0, given once)",
               arg);
      a.seed = seed;
      seed_given = true;
    }
  }
  return a;
}

void print_table(std::uint64_t seed) {
  using namespace tg::train;
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
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Arguments a = parse(argc, argv);
    if (a.help) {
      fmt::print("{}", kUsage);
      return 0;
    }
    print_table(a.seed);
    if (!a.report.empty()) {
      tg::train::init_experiment_report({.seed = a.seed}).save(a.report);
      fmt::print("report: {}\n", a.report);
    }
    return 0;
  } catch (const tg::Error& error) {
    fmt::print(stderr, "{}\n", error.what());
    return 2;
  }
}
