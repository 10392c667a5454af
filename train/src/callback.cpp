#include <tapegrad/train/callback.hpp>

#include <cmath>

#include <tapegrad/error.hpp>

namespace tg::train {

void FunctionCallbacks::before_step(const StepContext& context) {
  if (functions_.before_step) functions_.before_step(context);
}

void FunctionCallbacks::after_step(const StepContext& context) {
  if (functions_.after_step) functions_.after_step(context);
}

void FunctionCallbacks::on_batch(const BatchProgress& progress) {
  if (functions_.on_batch) functions_.on_batch(progress);
}

void FunctionCallbacks::on_epoch_end(EpochContext& context) {
  if (functions_.after_epoch) functions_.after_epoch(context.step);
  if (functions_.on_epoch) functions_.on_epoch(context.record);
}

bool FunctionCallbacks::on_save_error(const std::string& error) {
  if (!functions_.on_save_error) return false;
  functions_.on_save_error(error);
  return true;
}

EarlyStopping::EarlyStopping(std::int64_t patience, double min_delta) : patience_(patience), min_delta_(min_delta) {
  TG_CHECK(patience >= 1, "EarlyStopping: patience must be at least 1 epoch, got {}", patience);
  TG_CHECK(min_delta >= 0 && std::isfinite(min_delta), "EarlyStopping: min_delta must be finite and >= 0, got {}",
           min_delta);
}

void EarlyStopping::on_train_begin(const RunInfo& run) {
  classification_ = run.classification;
  best_.reset();
  epochs_without_improvement_ = 0;
  stopped_after_ = 0;
}

void EarlyStopping::on_epoch_end(EpochContext& context) {
  // Scored so that larger is better.
  const double score = classification_ ? context.record.validation.accuracy : -context.record.validation.loss;
  if (!best_ || score > *best_ + min_delta_) {
    best_ = score;
    epochs_without_improvement_ = 0;
    return;
  }
  if (++epochs_without_improvement_ >= patience_) {
    context.stop = true;
    stopped_after_ = context.record.epoch;
  }
}

}  // namespace tg::train
