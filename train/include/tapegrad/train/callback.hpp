#pragma once
// What a training run reports as it goes, and the callbacks that watch it. A callback
// overrides the points it needs; the Trainer calls every callback at each point, in the
// order they were added:
//   on_train_begin                          once, before the first step
//   per batch: [backward] before_step  [optimizer step, schedule, averaging]  after_step
//              on_batch (running means, throughput)
//   on_epoch_end                            after validation; may ask the run to stop
//   on_train_end                            after the test evaluation
// Callbacks must leave the parameters, their gradients and the thread's default random
// stream as they found them: a run with a monitor attached trains exactly like one without.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <tapegrad/nn/module.hpp>
#include <tapegrad/optim/optimizer.hpp>
#include <tapegrad/train/evaluation.hpp>

namespace tg::train {

struct EpochRecord {
  std::int64_t epoch = 0;  // 1-based
  double train_loss = 0;
  double train_accuracy = 0;  // NaN when the targets are not class labels
  Evaluation validation{};
  double lr = 0;  // of the first parameter group at the end of the epoch
  double seconds = 0;
  double samples_per_second = 0;
  bool best = false;  // the best validation score so far (see TrainOptions)
  std::optional<Evaluation> averaged_validation{};  // with the averaged parameters (TrainOptions::average)
};

struct BatchProgress {
  std::int64_t epoch = 0, epochs = 0, batch = 0, batches = 0;  // batch is 1-based
  double loss = 0, accuracy = 0;                               // running means over the epoch
  double samples_per_second = 0;
};

struct TrainResult {
  std::vector<EpochRecord> history;  // every epoch of the run, also those before a resume
  std::int64_t best_epoch = 0;
  double best_validation_accuracy = 0;  // the best epoch's (NaN for regression targets)
  double best_validation_loss = 0;
  Evaluation test{};  // of the best-validation parameters (zeros when there is no test set)
  std::string checkpoint{};  // the best checkpoint's path, if saved (empty after save_error)
  // The checkpoints saved, one per improvement of the validation score, each named by its
  // epoch and validation score (checkpoint_file_name); the last keep_checkpoints of them.
  std::vector<std::string> checkpoints{};
  std::string run_state{};  // the file --resume continues from (TrainOptions::checkpoint_dir set)
  std::optional<Evaluation> averaged_test{};  // of the averaged parameters at the end (TrainOptions::average)
  std::int64_t parameters = 0;
  int ranks = 1;  // the processes that trained it (TrainOptions::distributed: the job's ranks)
  double seconds = 0;
  bool stopped_early = false;  // a callback asked the run to stop (EarlyStopping)
  // TrainOptions::init_from: the model's tensors the checkpoint did not set (absent, or of
  // another shape), which keep their initialization.
  std::vector<std::string> not_initialized{};
  // Why a checkpoint could not be saved (Callback::on_save_error); empty when all were.
  std::string save_error{};
};

// The live run, for callbacks that inspect it.
struct StepContext {
  std::int64_t step = 0;  // 1-based over the whole run; in on_epoch_end, the steps done
  std::int64_t epoch = 0;
  double loss = 0;  // of this step's batch; in on_epoch_end, the epoch's mean
  nn::Module& model;
  optim::Optimizer& optimizer;
};

struct EpochContext {
  const EpochRecord& record;
  StepContext step;
  bool stop = false;  // set to end the run after this epoch (the test evaluation still runs)
};

struct RunInfo {
  nn::Module& model;
  optim::Optimizer& optimizer;
  std::int64_t epochs = 0, first_epoch = 1;  // first_epoch > 1 after a resume
  std::int64_t batches_per_epoch = 0;
  std::int64_t train_size = 0, validation_size = 0, test_size = 0;
  bool classification = true;  // class labels (i64) rather than regression targets
  bool averaging = false;       // TrainOptions::average: records carry averaged_validation
};

class Callback {
 public:
  virtual ~Callback() = default;
  virtual void on_train_begin(const RunInfo& /*run*/) {}
  virtual void before_step(const StepContext& /*context*/) {}  // after backward: gradients are set
  virtual void after_step(const StepContext& /*context*/) {}   // after the optimizer's step
  virtual void on_batch(const BatchProgress& /*progress*/) {}
  virtual void on_epoch_end(EpochContext& /*context*/) {}
  virtual void on_train_end(const TrainResult& /*result*/) {}
  // A checkpoint could not be saved. Return true to go on without saving (the error is
  // kept in TrainResult::save_error and no further saves are tried); when no callback
  // returns true, the run ends with the error.
  virtual bool on_save_error(const std::string& /*error*/) { return false; }
};

using StepHook = std::function<void(const StepContext&)>;

// Callbacks as plain functions, for code that needs one or two of them.
struct TrainCallbacks {
  std::function<void(const BatchProgress&)> on_batch{};
  std::function<void(const EpochRecord&)> on_epoch{};  // after the callbacks' on_epoch_end
  StepHook before_step{};
  StepHook after_step{};
  StepHook after_epoch{};  // after validation, before on_epoch
  // Set: a checkpoint that cannot be saved is reported here once and the run goes on
  // without saving (as Callback::on_save_error returning true).
  std::function<void(const std::string&)> on_save_error{};
};

// The Callback that calls the functions of a TrainCallbacks.
class FunctionCallbacks : public Callback {
 public:
  explicit FunctionCallbacks(TrainCallbacks functions) : functions_(std::move(functions)) {}
  void before_step(const StepContext& context) override;
  void after_step(const StepContext& context) override;
  void on_batch(const BatchProgress& progress) override;
  void on_epoch_end(EpochContext& context) override;
  bool on_save_error(const std::string& error) override;

 private:
  TrainCallbacks functions_;
};

// Ends the run when the validation score has not improved for `patience` epochs (by more
// than min_delta: accuracy up for class labels, loss down for regression targets). The
// best epoch's parameters are the ones tested, as in every run.
class EarlyStopping : public Callback {
 public:
  explicit EarlyStopping(std::int64_t patience = 3, double min_delta = 0);
  void on_train_begin(const RunInfo& run) override;
  void on_epoch_end(EpochContext& context) override;
  std::int64_t stopped_after() const { return stopped_after_; }  // the epoch it stopped after; 0: did not stop

 private:
  std::int64_t patience_;
  double min_delta_;
  bool classification_ = true;
  std::optional<double> best_;
  std::int64_t epochs_without_improvement_ = 0, stopped_after_ = 0;
};

}  // namespace tg::train
