#pragma once
// Model ensembles (CS231n lecture 7): the average of the softmax predictions of
// several checkpoints, usually a little better than the mean member.
#include <optional>
#include <string>
#include <vector>

#include <tapegrad/nn/data/dataset.hpp>
#include <tapegrad/nn/data/normalization.hpp>

#include <tapegrad/train/trainer.hpp>

namespace tg::train {

struct EnsembleMember {
  std::string path, model;  // model: the name in the checkpoint's metadata
  Evaluation evaluation{};
};

struct EnsembleResult {
  std::vector<EnsembleMember> members;
  Evaluation ensemble{};  // of the mean of the members' probabilities
  double mean_member_accuracy = 0;
};

// Loads each checkpoint (nn::load_checkpoint; the model is made by the name in its
// metadata) and evaluates it and the average of the softmax outputs on dataset. Each
// member normalizes with the normalization in its metadata, or fallback when it has none;
// with options.flip_average each member predicts the mean over the image and its mirror.
// A missing file, a checkpoint without a model name, or an empty list is a tg::Error.
// The errors evaluate_ensemble would raise for paths, without the evaluation: each file
// loads as a checkpoint of a known model whose parameters fit it. For checks before the
// data loads.
void check_ensemble_members(const std::vector<std::string>& paths);

EnsembleResult evaluate_ensemble(const std::vector<std::string>& paths, const nn::data::Dataset& dataset,
                                 const std::optional<nn::data::Normalization>& fallback,
                                 const EvaluationOptions& options = {});

}  // namespace tg::train
