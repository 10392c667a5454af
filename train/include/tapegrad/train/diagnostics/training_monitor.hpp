#pragma once
// Babysitting the learning process (CS231n lecture 6): the hooks behind the
// report of `tapegrad train`. They record the loss of every step, the update-to-weight
// ratio of every parameter every few steps, the activation and gradient histograms per
// layer on a fixed batch (at initialization and after the latest epoch), and the
// latest first-layer weights.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <tapegrad/nn/data/loader.hpp>

#include <tapegrad/train/callback.hpp>
#include <tapegrad/train/diagnostics/layer_histograms.hpp>
#include <tapegrad/train/diagnostics/update_ratio.hpp>
#include <tapegrad/train/report/report.hpp>

namespace tg::train {

struct MonitorOptions {
  std::int64_t ratio_every = 50;  // steps between update-ratio samples: a copy of the parameters each
  RatioBand ratio_band{};
  int histogram_bins = 30;
  std::int64_t first_layer_images = 64;
};

class TrainingMonitor : public Callback {
 public:
  // batch: the fixed examples the histograms are taken on (normalized like training's).
  explicit TrainingMonitor(nn::data::Batch batch, MonitorOptions options = {}, UpdateRatioRecorder::Warn warn = {});

  void before_step(const StepContext& context) override;
  void after_step(const StepContext& context) override;
  void on_epoch_end(EpochContext& context) override;

  const std::vector<double>& losses() const { return losses_; }  // one per step
  const std::vector<ParameterRatios>& update_ratios() const { return ratios_.parameters(); }
  const std::optional<LayerHistograms>& initial_histograms() const { return initial_; }
  const std::optional<LayerHistograms>& latest_histograms() const { return latest_; }
  const std::optional<report::ImageGrid>& first_layer() const { return first_layer_; }

 private:
  nn::data::Batch batch_;
  MonitorOptions options_;
  UpdateRatioRecorder ratios_;
  std::vector<double> losses_;
  std::optional<LayerHistograms> initial_, latest_;
  std::optional<report::ImageGrid> first_layer_;
};

}  // namespace tg::train
