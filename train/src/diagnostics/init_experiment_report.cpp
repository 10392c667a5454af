#include <tapegrad/train/diagnostics/init_experiment_report.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

namespace tg::train {

namespace {

constexpr InitScheme kInits[] = {InitScheme::normal_1, InitScheme::normal_0_01, InitScheme::xavier, InitScheme::he};
constexpr Activation kActivations[] = {Activation::sigmoid, Activation::tanh, Activation::relu};
constexpr int kBins = 40;

struct Run {
  InitScheme init;
  std::vector<std::vector<double>> layers;  // each layer's activations
  std::vector<ActivationStats> stats;
};

// 2 significant digits, the exponent short: "0.43", "2.6e2", "1.4e-5" (panel names are narrow).
std::string two_digits(double value) {
  std::string text = fmt::format("{:.2g}", value);
  if (text.size() > 5) text = fmt::format("{:.1e}", value);  // 0.00029 -> 2.9e-04
  const auto e = text.find('e');
  if (e == std::string::npos) return text;
  return text.substr(0, e) + "e" + std::to_string(std::stoi(text.substr(e + 1)));
}

// The shared x range of one configuration's histograms.
std::pair<double, double> value_range(Activation activation, const Run& run) {
  if (activation == Activation::sigmoid) return {0, 1};
  if (activation == Activation::tanh) return {-1, 1};
  double high = 0;
  for (const auto& layer : run.layers)
    for (double v : layer) high = std::max(high, v);
  return {0, high > 0 ? high : 1};
}

report::HistogramPlot layer_histograms(Activation activation, const Run& run) {
  const auto [low, high] = value_range(activation, run);
  report::HistogramPlot plot{.title = fmt::format("{}, {}: activations of each layer", init_scheme_name(run.init),
                                                  activation_name(activation)),
                             .x_label = "activation value (the same range in every panel)",
                             .columns = static_cast<int>(std::clamp<std::size_t>(run.layers.size(), 1, 8))};
  for (std::size_t i = 0; i < run.layers.size(); ++i)
    plot.histograms.push_back(report::make_histogram(
        fmt::format("layer {} \u03C3={}", i + 1, two_digits(run.stats[i].std)), run.layers[i], kBins, low, high));
  return plot;
}

report::LinePlot std_per_layer(Activation activation, const std::vector<Run>& runs) {
  report::LinePlot plot{.title = fmt::format("{}: std of the activations per layer", activation_name(activation)),
                        .x_label = "layer",
                        .y_label = "std (log scale)",
                        .log_y = true};
  for (const Run& run : runs) {
    report::Series series{.name = std::string(init_scheme_name(run.init))};
    for (std::size_t i = 0; i < run.stats.size(); ++i) {
      series.x.push_back(static_cast<double>(i + 1));
      series.y.push_back(run.stats[i].std);
    }
    plot.series.push_back(std::move(series));
  }
  return plot;
}

report::Table stats_table(Activation activation, const std::vector<Run>& runs) {
  report::Table table{.title = fmt::format("{}: per layer", activation_name(activation)),
                      .header = {"init", "layer", "mean", "std", "saturated", "zero"}};
  for (const Run& run : runs)
    for (std::size_t i = 0; i < run.stats.size(); ++i) {
      const ActivationStats& s = run.stats[i];
      table.rows.push_back({i == 0 ? std::string(init_scheme_name(run.init)) : "", std::to_string(i + 1),
                            fmt::format("{:.3e}", s.mean), fmt::format("{:.3e}", s.std),
                            fmt::format("{:.1f}%", 100 * s.saturated_fraction),
                            fmt::format("{:.1f}%", 100 * s.zero_fraction)});
    }
  return table;
}

}  // namespace

report::Report init_experiment_report(const InitExperiment& base) {
  report::Report page("tapegrad: weight initialization and activations");
  page.paragraph(fmt::format(
      "{} fully connected layers of {} units without bias, {} inputs drawn from N(0, 1), seed {}. Weights of std 1 "
      "saturate sigmoid and tanh and blow ReLU up; std 0.01 makes the activations collapse towards 0 (towards 0.5 "
      "for sigmoid) layer after layer; Xavier (std 1/sqrt(fan_in)) keeps tanh healthy and He (std "
      "sqrt(2/fan_in)) keeps ReLU healthy.",
      base.layers, base.units, base.inputs, base.seed));
  for (Activation activation : kActivations) {
    std::vector<Run> runs;
    for (InitScheme init : kInits) {
      InitExperiment experiment = base;
      experiment.init = init;
      experiment.activation = activation;
      Run run{init, {}, {}};
      for (const Tensor& h : init_experiment_activations(experiment)) {
        run.layers.push_back(h.to_vector<double>());
        run.stats.push_back(activation_stats(h, activation));
      }
      runs.push_back(std::move(run));
    }
    page.heading(std::string(activation_name(activation)));
    page.add(std_per_layer(activation, runs));
    for (const Run& run : runs) page.add(layer_histograms(activation, run));
    page.add(stats_table(activation, runs));
  }
  return page;
}

}  // namespace tg::train
