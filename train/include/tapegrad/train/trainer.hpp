#pragma once
// Training a classifier: the loop behind `tapegrad train` (and, later, the optimizer
// race and the search's trials). No global state: everything a run needs is in its
// TrainConfig and TrainData, so runs can go side by side in one process.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <tapegrad/nn/data/augment.hpp>
#include <tapegrad/nn/data/dataset.hpp>
#include <tapegrad/nn/data/normalization.hpp>
#include <tapegrad/nn/models.hpp>
#include <tapegrad/nn/module.hpp>
#include <tapegrad/optim/optimizer.hpp>
#include <tapegrad/optim/options.hpp>

#include <tapegrad/train/evaluation.hpp>

namespace tg::train {

struct TrainConfig {
  std::string model = "cnn";
  nn::ModelOptions model_options{};
  std::string optimizer = "adam";
  optim::Options optimizer_options{};  // over the optimizer's defaults
  std::string schedule = "cosine";     // "cosine" (per batch, to 0 at the end) or "none"
  std::int64_t epochs = 8;
  std::int64_t batch_size = 64;
  std::uint64_t seed = 0;  // model init, shuffling, dropout, augmentation
  data::Augmentation augmentation{};
  double label_smoothing = 0;    // of the training loss (validation and test report plain cross-entropy)
  std::string checkpoint_dir{};  // where the best checkpoint goes; empty: not saved
  // How many of the run's per-improvement checkpoints (<model>-epochNN-val0.XXXX) stay on
  // disk: older ones are deleted as newer ones come (0: keep all). <model>-best is always kept.
  std::int64_t keep_checkpoints = 3;
  // Also keep an exponential moving average of the parameters (optim::ParameterAveraging,
  // x_test = decay*x_test + (1-decay)*x) and evaluate validation and test with it. Buffers
  // (BatchNorm's running statistics) are not averaged: the averaged model uses the live ones.
  bool average = false;
  double average_decay = 0.995;
  // Validation and test predict with the mean softmax of each image and its mirror
  // (EvaluationOptions::flip_average); the best epoch is chosen by that accuracy.
  bool test_time_flip = false;

  void validate() const;  // clear errors for out-of-range values
};

// Training and validation come from the training file (a seeded split); test from
// the test file and is touched only once, at the end.
struct TrainData {
  data::Dataset train, validation, test;
};

struct EpochRecord {
  std::int64_t epoch = 0;  // 1-based
  double train_loss = 0, train_accuracy = 0;
  Evaluation validation{};
  double lr = 0;  // at the end of the epoch
  double seconds = 0;
  double samples_per_second = 0;
  bool best = false;  // the best validation accuracy so far
  std::optional<Evaluation> averaged_validation{};  // with the averaged parameters (config.average)
};

struct BatchProgress {
  std::int64_t epoch = 0, epochs = 0, batch = 0, batches = 0;  // batch is 1-based
  double loss = 0, accuracy = 0;                               // running means over the epoch
  double samples_per_second = 0;
};

struct TrainResult {
  std::vector<EpochRecord> history;
  std::int64_t best_epoch = 0;
  double best_validation_accuracy = 0;
  Evaluation test{};  // of the best-validation parameters
  std::string checkpoint{};  // the best checkpoint's path, if saved (empty after save_error)
  // The checkpoints saved, one per improvement of the validation accuracy, each named
  // by its epoch and validation accuracy (checkpoint_file_name); the last
  // TrainConfig::keep_checkpoints of them, the older ones deleted.
  std::vector<std::string> checkpoints{};
  std::optional<Evaluation> averaged_test{};  // of the averaged parameters at the end (config.average)
  std::int64_t parameters = 0;
  double seconds = 0;
  // Why a checkpoint could not be saved (TrainCallbacks::on_save_error); empty when all were.
  std::string save_error{};
};

// The live run, for hooks that inspect it (diagnostics). Hooks must leave the
// parameters, their gradients and the default random stream as they found them.
struct StepContext {
  std::int64_t step = 0;  // 1-based over the whole run; in after_epoch, the steps done
  std::int64_t epoch = 0;
  double loss = 0;  // of this step's batch; in after_epoch, the epoch's mean
  nn::Module& model;
  optim::Optimizer& optimizer;
};

using StepHook = std::function<void(const StepContext&)>;
// Makes slot call what it called before, then hook.
void append_hook(StepHook& slot, StepHook hook);

struct TrainCallbacks {
  std::function<void(const BatchProgress&)> on_batch{};
  std::function<void(const EpochRecord&)> on_epoch{};
  StepHook before_step{};  // after backward: gradients are set
  StepHook after_step{};   // after the optimizer's step
  StepHook after_epoch{};  // after validation, before on_epoch
  // Unset: a checkpoint that cannot be saved ends the run with its tg::Error. Set: the
  // run goes on without saving (the test evaluation still comes at the end), the error
  // is reported here once and kept in TrainResult::save_error.
  std::function<void(const std::string&)> on_save_error{};
};

// Deletes the oldest files of paths (in order of saving) until at most keep remain
// (keep 0: none deleted); paths keeps the survivors.
void prune_checkpoints(std::vector<std::string>& paths, std::int64_t keep);

// "<model>-epoch07-val0.9123.safetensors": the epoch and the validation accuracy.
std::string checkpoint_file_name(const std::string& model, std::int64_t epoch, double validation_accuracy);

TrainResult train_classifier(const TrainConfig& config, const TrainData& data, const TrainCallbacks& callbacks = {});

}  // namespace tg::train
