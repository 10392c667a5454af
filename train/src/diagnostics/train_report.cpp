#include <tapegrad/train/diagnostics/train_report.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace tg::train {

namespace {

report::LinePlot loss_per_iteration(const std::vector<double>& losses, bool log_y) {
  return {.title = log_y ? "training loss per iteration (log scale)" : "training loss per iteration",
          .x_label = "iteration",
          .y_label = "cross-entropy",
          .log_y = log_y,
          .series = {{"batch loss", {}, losses}}};
}

report::LinePlot accuracy_per_epoch(const TrainResult& result) {
  report::Series train{"train"}, validation{"validation"}, averaged{"validation, averaged parameters"};
  for (const EpochRecord& e : result.history) {
    const auto epoch = static_cast<double>(e.epoch);
    train.x.push_back(epoch);
    train.y.push_back(e.train_accuracy);
    validation.x.push_back(epoch);
    validation.y.push_back(e.validation.accuracy);
    if (e.averaged_validation) {
      averaged.x.push_back(epoch);
      averaged.y.push_back(e.averaged_validation->accuracy);
    }
  }
  report::LinePlot plot{.title = "accuracy per epoch", .x_label = "epoch", .y_label = "accuracy",
                        .series = {train, validation}};
  if (!averaged.x.empty()) plot.series.push_back(averaged);
  return plot;
}

report::LinePlot update_ratios(const std::vector<ParameterRatios>& parameters, std::size_t steps) {
  report::LinePlot plot{.title = "update / weight norm ratio per parameter (healthy near 1e-3)",
                        .x_label = "iteration",
                        .y_label = "||w_after - w_before|| / ||w_before||",
                        .log_y = true};
  for (const ParameterRatios& p : parameters) plot.series.push_back({p.name, p.steps, p.ratios});
  // Across every step of the run, so that a run with one sample still shows a line.
  plot.series.push_back({"1e-3 reference", {1, static_cast<double>(std::max<std::size_t>(steps, 2))}, {1e-3, 1e-3}});
  return plot;
}

report::HistogramPlot histograms(const std::vector<report::Histogram>& list, const std::string& what,
                                 const std::string& when) {
  return {.title = fmt::format("{} {}", what, when), .x_label = "value", .histograms = list};
}

report::Table epoch_table(const TrainResult& result) {
  report::Table table{.title = "epochs",
                      .header = {"epoch", "train loss", "train acc", "val loss", "val acc", "lr", "time (s)", "img/s",
                                 "best"}};
  const bool averaged = !result.history.empty() && result.history.front().averaged_validation.has_value();
  if (averaged) table.header.insert(table.header.begin() + 5, "val acc (averaged)");
  for (const EpochRecord& e : result.history) {
    std::vector<std::string> row = {std::to_string(e.epoch),
                                    fmt::format("{:.4f}", e.train_loss),
                                    fmt::format("{:.4f}", e.train_accuracy),
                                    fmt::format("{:.4f}", e.validation.loss),
                                    fmt::format("{:.4f}", e.validation.accuracy),
                                    fmt::format("{:.2e}", e.lr),
                                    fmt::format("{:.1f}", e.seconds),
                                    fmt::format("{:.0f}", e.samples_per_second),
                                    e.best ? "*" : ""};
    if (averaged) row.insert(row.begin() + 5, fmt::format("{:.4f}", e.averaged_validation->accuracy));
    table.rows.push_back(std::move(row));
  }
  return table;
}

report::Table gradcheck_table(const std::vector<std::pair<std::int64_t, GradcheckReport>>& reports) {
  report::Table table{.title = "gradient checks of the loss (f64)",
                      .header = {"step", "verdict", "max rel error", "evaluations"}};
  for (const auto& [step, r] : reports)
    table.rows.push_back({std::to_string(step), std::string(verdict_name(r.verdict)),
                          fmt::format("{:.2e}", r.max_rel_error), std::to_string(r.evaluations)});
  return table;
}

}  // namespace

report::Report make_train_report(const TrainReportInput& in) {
  report::Report page(in.model.empty() ? std::string("tapegrad train") : fmt::format("tapegrad train: {}", in.model));
  const std::string batch =
      in.result.ranks > 1 ? fmt::format("batch {} ({} per rank x {} ranks; the loss plots are rank 0's share)",
                                        in.options.batch_size * in.result.ranks, in.options.batch_size, in.result.ranks)
                          : fmt::format("batch {}", in.options.batch_size);
  page.paragraph(fmt::format("{} epochs, {}, {}, seed {}; {} parameters; test accuracy {:.4f} with the "
                             "parameters of epoch {} (validation accuracy {:.4f}){}.",
                             in.options.epochs, in.options.optimizer, batch, in.options.seed,
                             in.result.parameters, in.result.test.accuracy, in.result.best_epoch,
                             in.result.best_validation_accuracy,
                             in.result.averaged_test
                                 ? fmt::format("; averaged parameters: test accuracy {:.4f}",
                                               in.result.averaged_test->accuracy)
                                 : ""));
  page.heading("model");
  page.add(model_summary_table(in.model_summary));
  if (in.sanity) {
    page.heading("sanity checks");
    for (const std::string& line : in.sanity->lines()) page.paragraph(line);
  }
  const TrainingMonitor& m = in.monitor;
  page.heading("loss");
  page.add(loss_per_iteration(m.losses(), false));
  page.add(loss_per_iteration(m.losses(), true));
  page.heading("accuracy");
  page.add(accuracy_per_epoch(in.result));
  page.add(epoch_table(in.result));
  page.heading("update ratios");
  page.add(update_ratios(m.update_ratios(), m.losses().size()));
  page.heading("activations and gradients per layer");
  for (const auto* h : {&m.initial_histograms(), &m.latest_histograms()}) {
    if (!*h) continue;
    page.add(histograms((*h)->activations, "activations", (*h)->label));
    page.add(histograms((*h)->gradients, "loss gradients of the parameters", (*h)->label));
  }
  if (m.first_layer()) {
    page.heading("first-layer weights");
    page.add(*m.first_layer());
  }
  if (in.gradchecks && !in.gradchecks->empty()) {
    page.heading("gradient checks");
    page.add(gradcheck_table(*in.gradchecks));
  }
  return page;
}

}  // namespace tg::train
