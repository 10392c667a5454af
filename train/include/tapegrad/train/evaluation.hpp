#pragma once
// Scoring a model on a dataset. Class labels: mean cross-entropy and accuracy, optionally
// with test-time flip averaging (noise added in training, here the random mirror, is
// marginalized at test by averaging the predictions over it). Regression targets: the
// mean of a loss function over the samples.
#include <cstdint>
#include <functional>
#include <optional>

#include <tapegrad/nn/data/dataset.hpp>
#include <tapegrad/nn/data/normalization.hpp>
#include <tapegrad/nn/module.hpp>
#include <tapegrad/tensor.hpp>

namespace tg::train {

// What training minimizes: a scalar from the model's output for a batch and the batch's
// labels or targets (mean over the batch, so batch sizes can differ).
using LossFunction = std::function<Tensor(const Tensor& output, const Tensor& targets)>;
// Softmax cross-entropy with optional label smoothing: the default for class labels.
LossFunction cross_entropy_loss(double label_smoothing = 0);
// Mean squared error: the default for regression targets.
LossFunction mean_squared_error();

struct Evaluation {
  double loss = 0;
  double accuracy = 0;  // NaN for regression targets
};

struct EvaluationOptions {
  std::int64_t batch_size = 500;
  // Predict with the mean of the softmax outputs for each image and its left-right mirror.
  bool flip_average = false;
  // Regression targets only: the loss to average (unset: mean_squared_error).
  LossFunction regression_loss{};
};

// Log-probabilities [N, classes] of a batch of images [N, C, H, W]: log_softmax of the
// model's output, or with flip_average log((softmax(f(x)) + softmax(f(mirror x))) / 2),
// computed as a logsumexp so that tiny probabilities stay finite. Records no tape when
// gradients are off; the model's mode (train/eval) is the caller's.
bool has_class_labels(const nn::data::Dataset& dataset);  // i64 labels

Tensor class_log_probabilities(nn::Module& model, const Tensor& images, bool flip_average);

// How many rows of scores [N, classes] have their largest entry at labels [N].
std::int64_t correct_predictions(const Tensor& scores, const Tensor& labels);

// Mean cross-entropy (-ln p[label]) and accuracy of model on dataset (class labels), or
// the mean loss over the samples (regression targets, accuracy NaN), in eval mode with
// gradients off; the model's mode is restored afterwards.
Evaluation evaluate(nn::Module& model, const nn::data::Dataset& dataset, const std::optional<nn::data::Normalization>& norm,
                    const EvaluationOptions& options = {});

}  // namespace tg::train
