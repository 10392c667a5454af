#pragma once
// The training loop for any nn::Module on any in-memory dataset: images [N, C, H, W] or
// feature rows [N, F], with class labels (i64 [N]) or regression targets (floating
// [N, ...]); any loss, any registered optimizer (by name or an instance), a learning-rate
// schedule, parameter averaging, best-checkpoint keeping, callbacks, and a run state
// saved after every epoch from which a run resumes bit for bit:
//
//   tg::manual_seed(1);                       // initialization and dropout
//   auto net = std::make_shared<MyNet>();
//   tg::train::Trainer trainer(net, {.epochs = 10, .optimizer = "adamw", .checkpoint_dir = "runs/a"});
//   trainer.add_callback(std::make_shared<tg::train::EpochTable>(stdout));
//   tg::train::TrainResult result = trainer.fit({train, validation, test});
//
// No global state: everything a run needs is in its Trainer, so runs can go side by side
// in one process (one per thread: the tape and the default random stream are per thread).
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <tapegrad/nn/data/augment.hpp>
#include <tapegrad/nn/data/dataset.hpp>
#include <tapegrad/nn/module.hpp>
#include <tapegrad/optim/optimizer.hpp>
#include <tapegrad/optim/options.hpp>
#include <tapegrad/train/callback.hpp>
#include <tapegrad/train/evaluation.hpp>
#include <tapegrad/train/models.hpp>

namespace tg::train {

struct TrainOptions {
  std::int64_t epochs = 8;
  std::int64_t batch_size = 64;  // per rank when distributed
  // Shuffling and augmentation draw from streams derived from (seed, epoch, batch), so a
  // run reproduces whatever the thread count. Initialization and dropout draw from the
  // thread's default generator: seed it (tg::manual_seed) before building the model.
  std::uint64_t seed = 0;
  std::string optimizer = "adam";      // a registered name; ignored when Trainer::set_optimizer gave one
  optim::Options optimizer_options{};  // over the optimizer's defaults
  std::string schedule = "cosine";     // parse_schedule's grammar (schedule.hpp, docs/schedules.md)
  nn::data::Augmentation augmentation{};   // images [N, C, H, W] only
  bool normalize = true;               // scale inputs per channel by the training set's mean and std
  std::int64_t evaluation_batch_size = 500;
  // Validation and test predict with the mean softmax of each image and its mirror
  // (EvaluationOptions::flip_average); the best epoch is chosen by that accuracy.
  bool test_time_flip = false;
  // Also keep an exponential moving average of the parameters (optim::ParameterAveraging,
  // x_test = decay*x_test + (1-decay)*x) and evaluate validation and test with it. Buffers
  // (BatchNorm's running statistics) are not averaged: the averaged model uses the live ones.
  bool average = false;
  double average_decay = 0.995;

  // Where the checkpoints go; empty: nothing is saved. Each improvement of the validation
  // score (accuracy for class labels, loss for regression targets) is saved as
  // "<run_name>-epochNN-val<score>" and as "<run_name>-best"; after every epoch the whole
  // run state goes to "<run_name>-run.safetensors" (see resume_from).
  std::string checkpoint_dir{};
  std::string run_name = "model";
  // How many per-improvement checkpoints stay on disk: older ones are deleted as newer
  // ones come (0: keep all). "<run_name>-best" is always kept.
  std::int64_t keep_checkpoints = 3;
  std::map<std::string, std::string> checkpoint_metadata{};  // added to every checkpoint's
  // A run-state file of an earlier run with the same model, options and data: the run
  // continues after its last epoch, bit for bit as if it had not stopped (at the same
  // thread count). Everything is restored: parameters and buffers, the optimizer's state,
  // the schedule, the averages, the default random stream (dropout), the epoch and step,
  // the history and the best epoch so far with its parameters.
  std::string resume_from{};

  // Transfer learning. init_from: a checkpoint (or run state) whose model tensors are
  // copied into the parameters and buffers of the same name and shape before training;
  // the others (e.g. a replaced last layer) keep their initialization and are listed in
  // TrainResult::not_initialized. freeze: parameters whose name starts with one of these
  // prefixes are not trained. lr_for: parameters whose name starts with the prefix are
  // trained with that learning rate (the first matching prefix wins; the rest use the
  // optimizer's). A prefix that matches no parameter is an error.
  std::string init_from{};
  std::vector<std::string> freeze{};
  std::vector<std::pair<std::string, double>> lr_for{};

  // Data-parallel training across the ranks of the MPI job this process is in (start it
  // with mpirun and keep a tg::train::MpiSession alive; docs/distributed.md). Every rank
  // runs fit with the same model, options and data: batch_size is then per rank (the
  // global batch is batch_size x ranks); each rank trains on its shard of every epoch
  // (nn::data::LoaderOptions::num_shards, padded to equal length); gradients are averaged
  // over the ranks during backward (tg::dist::DataParallel), so all replicas take the
  // same steps; validation and test are shared among the ranks and summed, after rank
  // 0's buffers (BatchNorm's running statistics) are copied to all; only rank 0 writes
  // checkpoints and run states. Callbacks run on every rank with the same epoch records
  // (the job's), so a program prints from rank 0 only. resume_from is read by every rank
  // (on a shared path) and may come from a run on another number of ranks. Dropout
  // draws differ between ranks (rank r > 0 derives its stream from rank 0's).
  bool distributed = false;
  // With distributed: every BatchNorm of the model normalizes with the statistics of the
  // global batch (all-reduced in forward, their gradients in backward: nn::synchronized_batch_norm,
  // docs/distributed.md), so N ranks train as one process on the global batch. Off:
  // each rank's statistics of its own share, as PyTorch's DistributedDataParallel does.
  bool sync_batch_norm = false;

  void validate() const;  // clear errors for out-of-range values
};

// Training and validation; test is optional (size 0: no test evaluation) and is touched
// only once, at the end.
struct TrainData {
  nn::data::Dataset train, validation, test;
};

class Trainer {
 public:
  Trainer(nn::ModulePtr model, TrainOptions options = {});

  // The loss minimized (default: cross_entropy_loss() for class labels,
  // mean_squared_error() for regression targets). Validation and test of class labels
  // report plain cross-entropy and accuracy whatever the training loss; of regression
  // targets, this loss.
  Trainer& set_loss(LossFunction loss);
  // An optimizer made by the caller over (some of) the model's parameters; otherwise
  // options.optimizer is created by name over every parameter that requires grad.
  Trainer& set_optimizer(std::shared_ptr<optim::Optimizer> optimizer);
  Trainer& add_callback(std::shared_ptr<Callback> callback);
  Trainer& add_callbacks(TrainCallbacks functions);  // as a FunctionCallbacks

  // Trains; a Trainer runs fit once.
  TrainResult fit(const TrainData& data);

  nn::Module& model() const { return *model_; }
  const nn::ModulePtr& model_ptr() const { return model_; }
  const TrainOptions& options() const { return options_; }

 private:
  nn::ModulePtr model_;
  TrainOptions options_;
  LossFunction loss_{};
  std::shared_ptr<optim::Optimizer> optimizer_{};
  std::vector<std::shared_ptr<Callback>> callbacks_;
  bool fitted_ = false;
};

// The checks fit() makes of options against model before it trains, for a command that
// checks everything before it loads data: the resume_from file is a run state with
// epochs left to train, init_from sets at least one of the model's tensors, and the
// freeze and lr_for prefixes match parameters. The model is not changed.
void check_files_and_prefixes(const nn::Module& model, const TrainOptions& options);

// A built-in classifier by name (nn::make_model), as `tapegrad train` runs it.
struct TrainConfig : TrainOptions {
  std::string model = "cnn";
  nn::ModelOptions model_options{};
  double label_smoothing = 0;  // of the training loss (validation and test report plain cross-entropy)

  void validate() const;
};

// Seeds the default generator with config.seed, makes the model, and trains it with a
// Trainer (run_name = the model's name; the checkpoints' metadata say how to rebuild it).
TrainResult train_classifier(const TrainConfig& config, const TrainData& data, const TrainCallbacks& callbacks = {},
                             const std::vector<std::shared_ptr<Callback>>& more_callbacks = {});

// Deletes the oldest files of paths (in order of saving) until at most keep remain
// (keep 0: none deleted); paths keeps the survivors.
void prune_checkpoints(std::vector<std::string>& paths, std::int64_t keep);

// "<run>-epoch07-val0.9123.safetensors": the epoch and the validation score.
std::string checkpoint_file_name(const std::string& run, std::int64_t epoch, double validation_score);

}  // namespace tg::train
