#pragma once
// Scoring a classifier on a dataset: mean cross-entropy and accuracy, optionally with
// test-time flip averaging (MISSION.md section 7: noise added in training, here the
// random mirror, is marginalized at test by averaging the predictions over it).
#include <cstdint>
#include <optional>

#include <tapegrad/nn/data/dataset.hpp>
#include <tapegrad/nn/data/normalization.hpp>
#include <tapegrad/nn/module.hpp>
#include <tapegrad/tensor.hpp>

namespace tg::train {

struct Evaluation {
  double loss = 0, accuracy = 0;
};

struct EvaluationOptions {
  std::int64_t batch_size = 500;
  // Predict with the mean of the softmax outputs for each image and its left-right mirror.
  bool flip_average = false;
};

// Log-probabilities [N, classes] of a batch of images [N, C, H, W]: log_softmax of the
// model's output, or with flip_average log((softmax(f(x)) + softmax(f(mirror x))) / 2),
// computed as a logsumexp so that tiny probabilities stay finite. Records no tape when
// gradients are off; the model's mode (train/eval) is the caller's.
Tensor class_log_probabilities(nn::Module& model, const Tensor& images, bool flip_average);

// How many rows of scores [N, classes] have their largest entry at labels [N].
std::int64_t correct_predictions(const Tensor& scores, const Tensor& labels);

// Mean cross-entropy (-ln p[label]) and accuracy of model on dataset, in eval mode with
// gradients off; the model's mode is restored afterwards.
Evaluation evaluate(nn::Module& model, const data::Dataset& dataset, const std::optional<data::Normalization>& norm,
                    const EvaluationOptions& options = {});

}  // namespace tg::train
