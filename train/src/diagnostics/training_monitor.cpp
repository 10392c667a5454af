#include <tapegrad/train/diagnostics/training_monitor.hpp>

#include <fmt/format.h>

#include <tapegrad/train/diagnostics/first_layer.hpp>

namespace tg::train {

TrainingMonitor::TrainingMonitor(data::Batch batch, MonitorOptions options, UpdateRatioRecorder::Warn warn)
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

void TrainingMonitor::after_epoch(const StepContext& context) {
  latest_ = capture_layer_histograms(context.model, batch_.images, batch_.labels,
                                     fmt::format("after epoch {}", context.epoch), options_.histogram_bins);
  first_layer_ = first_layer_weights(context.model, options_.first_layer_images);
}

void TrainingMonitor::attach(TrainCallbacks& callbacks) {
  append_hook(callbacks.before_step, [this](const StepContext& c) { before_step(c); });
  append_hook(callbacks.after_step, [this](const StepContext& c) { after_step(c); });
  append_hook(callbacks.after_epoch, [this](const StepContext& c) { after_epoch(c); });
}

}  // namespace tg::train
