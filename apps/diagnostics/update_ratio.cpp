#include "update_ratio.hpp"

#include <fmt/format.h>

#include <cmath>

#include <tapegrad/autograd.hpp>
#include <tapegrad/error.hpp>

namespace tg::apps {

std::optional<double> update_ratio(const Tensor& before, const Tensor& after) {
  TG_CHECK(before.shape() == after.shape(), "update_ratio: shapes differ: {} before, {} after", before.shape().str(),
           after.shape().str());
  const std::vector<double> b = before.to_vector<double>();
  const std::vector<double> a = after.to_vector<double>();
  double change = 0, weight = 0;
  for (std::size_t i = 0; i < b.size(); ++i) {
    change += (a[i] - b[i]) * (a[i] - b[i]);
    weight += b[i] * b[i];
  }
  if (weight == 0) return std::nullopt;
  return std::sqrt(change / weight);
}

RatioHealth classify_update_ratio(double ratio, const RatioBand& band) {
  if (ratio < band.low) return RatioHealth::too_small;
  if (ratio > band.high) return RatioHealth::too_large;
  return RatioHealth::healthy;
}

UpdateRatioRecorder::UpdateRatioRecorder(std::int64_t every, Warn warn, RatioBand band)
    : every_(every), warn_(std::move(warn)), band_(band) {
  TG_CHECK(every >= 1, "update ratio: the sampling interval must be at least 1 step, got {}", every);
  TG_CHECK(band.low > 0 && band.low < band.high, "update ratio: the band [{}, {}] is empty or not positive", band.low,
           band.high);
}

void UpdateRatioRecorder::before_step(const StepContext& context) {
  if (context.step % every_ != 0) return;
  NoGradGuard no_grad;
  for (const Tensor& p : context.model.parameters()) before_.push_back(p.detach().clone());
}

void UpdateRatioRecorder::after_step(const StepContext& context) {
  if (before_.empty()) return;
  const auto named = context.model.named_parameters();
  if (parameters_.empty())
    for (const auto& entry : named) parameters_.push_back({entry.first, {}, {}, false});
  const double lr = context.optimizer.lr(0);
  if (!first_lr_) first_lr_ = lr;
  const bool annealed = lr < 0.1 * *first_lr_;
  for (std::size_t i = 0; i < named.size(); ++i) {
    const std::optional<double> ratio = update_ratio(before_[i], named[i].second);
    if (!ratio) continue;
    ParameterRatios& record = parameters_[i];
    record.steps.push_back(static_cast<double>(context.step));
    record.ratios.push_back(*ratio);
    const RatioHealth health = classify_update_ratio(*ratio, band_);
    if (health == RatioHealth::healthy || record.flagged || (annealed && health == RatioHealth::too_small)) continue;
    record.flagged = true;
    if (warn_)
      warn_(fmt::format("warning: update/weight ratio of {} is {:.2e} at step {} (lr {:.2e}), {} the healthy "
                        "[{:g}, {:g}] around 1e-3: the learning rate may be too {}",
                        record.name, *ratio, context.step, lr,
                        health == RatioHealth::too_small ? "below" : "above", band_.low, band_.high,
                        health == RatioHealth::too_small ? "low" : "high"));
  }
  before_.clear();
}

}  // namespace tg::apps
