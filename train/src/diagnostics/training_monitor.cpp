#include <tapegrad/train/diagnostics/training_monitor.hpp>

#include <fmt/format.h>

#include <tapegrad/train/diagnostics/first_layer.hpp>

namespace tg::train {

TrainingMonitor::TrainingMonitor(nn::data::Batch batch, MonitorOptions options, UpdateRatioRecorder::Warn warn)
    : batch_(std::move(batch)), options_(options), ratios_(options.ratio_every, std::move(warn), options.ratio_band) {}

void TrainingMonitor::before_step(const StepContext& context) {
  if (context.step == 1)
    initial_ = capture_layer_histograms(context.model, batch_.images, batch_.labels, "at initialization",
                                        options_.histogram_bins);
  ratios_.before_step(context);
}

void TrainingMonitor::after_step(const StepContext& context) {
  losses_.push_back(context.loss);
  ratios_.after_step(context);
}

void TrainingMonitor::on_epoch_end(EpochContext& context) {
  nn::Module& model = context.step.model;
  latest_ = capture_layer_histograms(model, batch_.images, batch_.labels, fmt::format("after epoch {}", context.step.epoch),
                                     options_.histogram_bins);
  first_layer_ = first_layer_weights(model, options_.first_layer_images);
}

}  // namespace tg::train
