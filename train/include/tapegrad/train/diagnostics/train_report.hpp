#pragma once
// The HTML report of `tapegrad train --report`: the model summary (layers, output shapes,
// parameter counts), loss per iteration (linear and log-y),
// accuracies per epoch, update ratios per parameter (log-y, with the 1e-3 reference),
// activation and gradient histograms per layer (at initialization and at the end),
// the first-layer weights, the epoch table, and the sanity checks and gradchecks run.
#include <cstdint>
#include <utility>
#include <vector>

#include <tapegrad/gradcheck.hpp>

#include <tapegrad/train/diagnostics/model_summary.hpp>
#include <tapegrad/train/diagnostics/sanity.hpp>
#include <tapegrad/train/diagnostics/training_monitor.hpp>
#include <tapegrad/train/report/report.hpp>
#include <tapegrad/train/trainer.hpp>

namespace tg::train {

struct TrainReportInput {
  const TrainOptions& options;
  const TrainResult& result;
  const TrainingMonitor& monitor;
  // summarize_model of the trained architecture on an example batch (a fresh model of the
  // same config gives the same table: shapes and counts do not depend on the weights).
  const ModelSummary& model_summary;
  const SanityResults* sanity = nullptr;  // when the sanity checks ran
  const std::vector<std::pair<std::int64_t, GradcheckReport>>* gradchecks = nullptr;
  std::string model{};  // what was trained, for the title ("cnn on Fashion-MNIST")
};

// The number of plots (<svg> elements) make_train_report adds after a run of at least one epoch.
constexpr std::int64_t kTrainReportPlots = 9;

report::Report make_train_report(const TrainReportInput& input);

}  // namespace tg::train
