#include <tapegrad/train/evaluation.hpp>

#include <cmath>
#include <vector>

#include <tapegrad/autograd.hpp>
#include <tapegrad/error.hpp>
#include <tapegrad/nn/data/augment.hpp>
#include <tapegrad/nn/data/loader.hpp>
#include <tapegrad/ops/elementwise.hpp>
#include <tapegrad/ops/losses.hpp>
#include <tapegrad/ops/reduce.hpp>
#include <tapegrad/ops/shape_ops.hpp>
#include <tapegrad/ops/softmax.hpp>

#include "diagnostics/mode_restore.hpp"

namespace tg::train {

Tensor class_log_probabilities(nn::Module& model, const Tensor& images, bool flip_average) {
  if (!flip_average) return log_softmax(model(images), 1);
  TG_CHECK(images.dim() == 4, "evaluate: flip averaging needs images [N, C, H, W], got {} dims", images.dim());
  const std::vector<std::uint8_t> all(static_cast<std::size_t>(images.size(0)), 1);
  const Tensor plain = log_softmax(model(images), 1);
  const Tensor mirrored = log_softmax(model(nn::data::flip_horizontal(images, all)), 1);
  return logsumexp(stack({plain, mirrored}, 0), {0}) - std::log(2.0);
}

std::int64_t correct_predictions(const Tensor& scores, const Tensor& labels) {
  const auto predicted = argmax(scores, 1).to_vector<std::int64_t>();
  const auto truth = labels.to_vector<std::int64_t>();
  std::int64_t correct = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) correct += predicted[i] == truth[i];
  return correct;
}

LossFunction cross_entropy_loss(double label_smoothing) {
  TG_CHECK(label_smoothing >= 0 && label_smoothing < 1, "cross_entropy_loss: label smoothing must be in [0, 1), got {}",
           label_smoothing);
  return [label_smoothing](const Tensor& output, const Tensor& labels) {
    return cross_entropy(output, labels, Reduction::mean, label_smoothing);
  };
}

LossFunction mean_squared_error() {
  return [](const Tensor& output, const Tensor& targets) { return mse_loss(output, targets.to(output.dtype())); };
}

bool has_class_labels(const nn::data::Dataset& dataset) { return dataset.labels.dtype() == i64; }

namespace {

Evaluation evaluate_regression(nn::Module& model, const nn::data::DataLoader& loader, const EvaluationOptions& options) {
  const LossFunction loss = options.regression_loss ? options.regression_loss : mean_squared_error();
  double loss_sum = 0;
  for (const nn::data::Batch& batch : loader)
    loss_sum += loss(model(batch.images), batch.labels).item() * static_cast<double>(batch.labels.size(0));
  return {loss_sum / static_cast<double>(loader.dataset().size()), std::nan("")};
}

}  // namespace

Evaluation evaluate(nn::Module& model, const nn::data::Dataset& dataset, const std::optional<nn::data::Normalization>& norm,
                    const EvaluationOptions& options) {
  TG_CHECK(dataset.size() > 0, "evaluate: the dataset is empty");
  const detail::ModeRestore restore(model);
  model.eval();
  NoGradGuard no_grad;
  const nn::data::DataLoader loader(dataset,
                                {.batch_size = options.batch_size, .shuffle = false, .normalization = norm});
  if (!has_class_labels(dataset)) return evaluate_regression(model, loader, options);
  double loss_sum = 0;
  std::int64_t correct = 0;
  for (const nn::data::Batch& batch : loader) {
    const Tensor log_probabilities = class_log_probabilities(model, batch.images, options.flip_average);
    loss_sum += nll_loss(log_probabilities, batch.labels, Reduction::sum).item();
    correct += correct_predictions(log_probabilities, batch.labels);
  }
  const double n = static_cast<double>(dataset.size());
  return {loss_sum / n, static_cast<double>(correct) / n};
}

}  // namespace tg::train
