#include <tapegrad/train/diagnostics/model_gradcheck.hpp>

#include <fmt/format.h>

#include <algorithm>

#include <tapegrad/error.hpp>
#include <tapegrad/nn/gradcheck_module.hpp>

namespace tg::train {

GradcheckReport gradcheck_loss(nn::Module& model, const Tensor& images, const Tensor& labels,
                               const ModelGradcheckOptions& options) {
  nn::ModuleGradcheckOptions module_options;
  module_options.check.eps = options.eps;
  module_options.check.max_coords_per_input = options.max_coords_per_parameter;
  module_options.check.seed = options.seed;
  nn::ModuleLoss loss;
  if (options.loss)
    loss = [of = options.loss](const Tensor& output, const nn::data::Batch& batch) { return of(output, batch.labels); };
  return nn::gradcheck_module(model, loss, {images, labels}, module_options);
}

StepGradcheck::StepGradcheck(std::int64_t every, nn::data::Batch batch, Print print, ModelGradcheckOptions options)
    : every_(every),
      batch_(std::move(batch)),
      print_(std::move(print)),
      options_(options) {
  TG_CHECK(every >= 1, "train: --gradcheck-every must be at least 1 (a step number), got {}", every);
}

void StepGradcheck::before_step(const StepContext& context) {
  if (context.step % every_ != 0) return;
  GradcheckReport report = gradcheck_loss(context.model, batch_.images, batch_.labels, options_);
  if (print_)
    print_(fmt::format("gradcheck of the loss at step {} ({} examples, {} coordinates per parameter, f64): {}\n{}",
                       context.step, batch_.labels.numel(), options_.max_coords_per_parameter,
                       verdict_name(report.verdict), report.table()));
  reports_.emplace_back(context.step, std::move(report));
}

bool StepGradcheck::passed() const {
  return std::all_of(reports_.begin(), reports_.end(), [](const auto& entry) { return entry.second.passed(); });
}

}  // namespace tg::train
