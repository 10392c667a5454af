#include <tapegrad/train/diagnostics/update_ratio.hpp>

#include <fmt/format.h>

#include <cmath>

#include <tapegrad/autograd.hpp>
#include <tapegrad/error.hpp>
#include <tapegrad/train/diagnostics/parameter_label.hpp>

namespace tg::train {

namespace {

// sum (a - b)^2 and sum b^2, in double, over contiguous data.
template <class T>
std::pair<double, double> squared_norms(const T* before, const T* after, std::int64_t n) {
  double change = 0, weight = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const double b = static_cast<double>(before[i]);
    const double d = static_cast<double>(after[i]) - b;
    change += d * d;
    weight += b * b;
  }
  return {change, weight};
}

}  // namespace

std::optional<double> update_ratio(const Tensor& before, const Tensor& after) {
  TG_CHECK(before.shape() == after.shape(), "update_ratio: shapes differ: {} before, {} after", before.shape().str(),
           after.shape().str());
  TG_CHECK(before.dtype() == after.dtype() && is_floating(before.dtype()),
           "update_ratio: expected two f32 or two f64 tensors, got {} and {}", dtype_name(before.dtype()),
           dtype_name(after.dtype()));
  const Tensor b = before.contiguous(), a = after.contiguous();
  const auto [change, weight] = b.dtype() == f32 ? squared_norms(b.data<float>(), a.data<float>(), b.numel())
                                                 : squared_norms(b.data<double>(), a.data<double>(), b.numel());
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
    for (const auto& entry : named)
      parameters_.push_back({parameter_label(context.model, entry.first), {}, {}, false});
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
    if (health == RatioHealth::healthy || record.flagged || named[i].second.dim() < 2 ||
        (annealed && health == RatioHealth::too_small))
      continue;
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

}  // namespace tg::train
