#include <tapegrad/train/trainer.hpp>

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <algorithm>
#include <optional>

#include <tapegrad/autograd.hpp>
#include <tapegrad/error.hpp>
#include <tapegrad/nn/checkpoint.hpp>
#include <tapegrad/nn/data/loader.hpp>
#include <tapegrad/nn/data/normalization.hpp>
#include <tapegrad/nn/data/permutation.hpp>
#include <tapegrad/optim/averaging.hpp>
#include <tapegrad/optim/registry.hpp>
#include <tapegrad/random.hpp>
#include <tapegrad/train/normalization_metadata.hpp>
#include <tapegrad/train/output_folder.hpp>
#include <tapegrad/train/schedule.hpp>
#include <tapegrad/train/transfer.hpp>

#include "distributed_run.hpp"
#include "run_state.hpp"

namespace tg::train {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string path_in(const std::string& folder, const std::string& file_name) {
  return (std::filesystem::path(folder) / file_name).string();
}

// The validation score the best epoch is chosen by, larger is better.
double score_of(const Evaluation& e, bool classification) { return classification ? e.accuracy : -e.loss; }

void check_data(const TrainData& data) {
  TG_CHECK(data.train.size() > 0, "train: the training set is empty");
  TG_CHECK(data.validation.size() > 0, "train: the validation set is empty");
  nn::data::check_dataset(data.train, "train: the training set");
  nn::data::check_dataset(data.validation, "train: the validation set");
  if (data.test.size() > 0) nn::data::check_dataset(data.test, "train: the test set");
  const auto check_same = [&](const nn::data::Dataset& other, const char* name) {
    TG_CHECK(other.labels.dtype() == data.train.labels.dtype(),
             "train: the {} set has {} labels, the training set {}", name, dtype_name(other.labels.dtype()),
             dtype_name(data.train.labels.dtype()));
    for (std::int64_t d = 1; d < data.train.images.dim(); ++d)
      TG_CHECK(other.images.dim() == data.train.images.dim() && other.images.size(d) == data.train.images.size(d),
               "train: the {} set's samples are {}, the training set's {}", name, other.images.shape().str(),
               data.train.images.shape().str());
  };
  check_same(data.validation, "validation");
  if (data.test.size() > 0) check_same(data.test, "test");
}

void check_epochs_left(const std::string& path, const detail::RunState& state, std::int64_t epochs) {
  TG_CHECK(state.epoch < epochs,
           "resume: '{}' has already trained {} epochs; the run asks for {} (give more epochs to train further)", path,
           state.epoch, epochs);
}

void check_resume_file(const std::string& path) {
  TG_CHECK(std::filesystem::is_regular_file(path), "resume: no run-state file '{}'", path);
}

// The samples rank `rank` of `ranks` evaluates: a contiguous share of the dataset.
nn::data::Dataset evaluation_share(const nn::data::Dataset& dataset, int rank, int ranks) {
  const std::int64_t n = dataset.size();
  std::vector<std::int64_t> indices;
  for (std::int64_t i = n * rank / ranks; i < n * (rank + 1) / ranks; ++i) indices.push_back(i);
  if (indices.empty()) return {};
  return dataset.subset(indices);
}

// A dataset to evaluate on, and this rank's share of it when the run is distributed.
struct EvaluationSet {
  const nn::data::Dataset& whole;
  nn::data::Dataset share{};
};

// The run in progress: what fit() keeps from step to step.
struct Run {
  nn::Module& model;
  optim::Optimizer& optimizer;
  const TrainOptions& options;
  const std::vector<std::shared_ptr<Callback>>& callbacks;
  bool classification = true;
  std::optional<nn::data::Normalization> norm{};
  std::unique_ptr<TrainingSchedule> schedule{};
  std::optional<optim::ParameterAveraging> averaging{};
  EvaluationOptions evaluation{};
  TrainResult result{};
  std::map<std::string, Tensor> best_state{};
  std::int64_t step = 0;
  detail::DistributedRun* job = nullptr;  // null: this process alone

  // Alone, evaluate(); distributed, every rank scores its share and the sums are
  // combined, with rank 0's buffers on every rank.
  Evaluation score(const EvaluationSet& set) {
    if (job == nullptr) return evaluate(model, set.whole, norm, evaluation);
    job->broadcast_buffers();
    std::vector<double> sums{0, 0, 0};  // loss sum, correct, samples
    if (const std::int64_t n = set.share.size(); n > 0) {
      const Evaluation e = evaluate(model, set.share, norm, evaluation);
      sums = {e.loss * static_cast<double>(n), classification ? std::round(e.accuracy * static_cast<double>(n)) : 0.0,
              static_cast<double>(n)};
    }
    job->sum(sums);
    return {sums[0] / sums[2], classification ? sums[1] / sums[2] : std::nan("")};
  }

  std::optional<Evaluation> evaluate_averaged(const EvaluationSet& set) {
    if (!averaging) return std::nullopt;
    const auto swapped = averaging->swap_in();
    return score(set);
  }

  std::map<std::string, std::string> metadata(const EpochRecord& record) const {
    std::map<std::string, std::string> m = options.checkpoint_metadata;
    m["epoch"] = std::to_string(record.epoch);
    if (classification) m["validation_accuracy"] = fmt::format("{:.4f}", record.validation.accuracy);
    m["validation_loss"] = fmt::format("{:.6g}", record.validation.loss);
    if (norm) add_normalization_metadata(*norm, m);
    return m;
  }

  // Saves the model as the epoch's checkpoint (its path is added to result.checkpoints as
  // soon as it is written) and as "<run>-best".
  void save_best(const EpochRecord& record) {
    prepare_output_folder("saving a checkpoint", options.checkpoint_dir);  // again: it may have gone since
    const auto model_state = model.state_dict();
    const auto optimizer_state = optimizer.state_dict();
    const auto meta = metadata(record);
    const double score = classification ? record.validation.accuracy : record.validation.loss;
    const std::string epoch_path =
        path_in(options.checkpoint_dir, checkpoint_file_name(options.run_name, record.epoch, score));
    nn::save_checkpoint(epoch_path, model_state, optimizer_state, meta);
    result.checkpoints.push_back(epoch_path);
    const std::string best_path = path_in(options.checkpoint_dir, options.run_name + "-best.safetensors");
    nn::save_checkpoint(best_path, model_state, optimizer_state, meta);
    result.checkpoint = best_path;
    prune_checkpoints(result.checkpoints, options.keep_checkpoints);
  }

  std::string run_state_path() const {
    return path_in(options.checkpoint_dir, options.run_name + "-run.safetensors");
  }

  void save_run_state(std::int64_t epoch) {
    detail::RunState state;
    state.epoch = epoch;
    state.step = step;
    state.generator = default_generator().state();
    state.model = model.state_dict();
    state.optimizer = optimizer.state_dict();
    state.schedule = schedule->state_dict();
    if (averaging) state.averaging = averaging->state_dict();
    state.best = best_state;
    state.history = result.history;
    state.best_epoch = result.best_epoch;
    state.checkpoints = result.checkpoints;
    state.best_checkpoint = result.checkpoint;
    detail::save_run_state(run_state_path(), state);
    result.run_state = run_state_path();
  }

  // Returns the epoch to start from.
  std::int64_t resume(const std::string& path) {
    detail::RunState state = detail::load_run_state(path);
    check_epochs_left(path, state, options.epochs);
    model.load_state_dict(state.model);
    optimizer.load_state_dict(state.optimizer);
    schedule->load_state_dict(state.schedule);
    TG_CHECK(static_cast<bool>(averaging) == !state.averaging.empty(),
             "resume: '{}' was saved {} parameter averaging; this run has it {}", path,
             state.averaging.empty() ? "without" : "with", averaging ? "on" : "off");
    if (averaging) averaging->load_state_dict(state.averaging);
    default_generator().set_state(state.generator);
    step = state.step;
    best_state = std::move(state.best);
    result.history = std::move(state.history);
    result.best_epoch = state.best_epoch;
    const EpochRecord& best = result.history[static_cast<std::size_t>(state.best_epoch - 1)];
    result.best_validation_accuracy = best.validation.accuracy;
    result.best_validation_loss = best.validation.loss;
    result.checkpoints = std::move(state.checkpoints);
    result.checkpoint = std::move(state.best_checkpoint);
    return state.epoch + 1;
  }

  void report_save_error(const Error& error) {
    bool go_on = false;
    for (const auto& callback : callbacks) go_on = callback->on_save_error(error.what()) || go_on;
    if (!go_on) throw error;
    result.save_error = error.what();
    result.checkpoint.clear();  // the best file on disk, if any, is of an older epoch
  }
};

}  // namespace

void TrainOptions::validate() const {
  TG_CHECK(epochs >= 1, "train: epochs must be at least 1, got {}", epochs);
  TG_CHECK(batch_size >= 1, "train: batch size must be at least 1, got {}", batch_size);
  TG_CHECK(evaluation_batch_size >= 1, "train: the evaluation batch size must be at least 1, got {}",
           evaluation_batch_size);
  TG_CHECK(keep_checkpoints >= 0, "train: --keep-checkpoints must be at least 0, got {}", keep_checkpoints);
  parse_schedule(schedule);
  TG_CHECK(average_decay > 0 && average_decay < 1, "train: the averaging decay must be in (0, 1), got {}",
           average_decay);
  TG_CHECK(!run_name.empty() && run_name.find('/') == std::string::npos,
           "train: the run name '{}' must be a non-empty file name without '/'", run_name);
  augmentation.validate();
  TG_CHECK(distributed || !sync_batch_norm,
           "train: synchronized BatchNorm is for a distributed run (TrainOptions::distributed, --distributed)");
}

Trainer::Trainer(nn::ModulePtr model, TrainOptions options) : model_(std::move(model)), options_(std::move(options)) {
  TG_CHECK(model_ != nullptr, "Trainer: the model is null");
  options_.validate();
}

Trainer& Trainer::set_loss(LossFunction loss) {
  TG_CHECK(static_cast<bool>(loss), "Trainer::set_loss: the loss function is empty");
  loss_ = std::move(loss);
  return *this;
}

Trainer& Trainer::set_optimizer(std::shared_ptr<optim::Optimizer> optimizer) {
  TG_CHECK(optimizer != nullptr, "Trainer::set_optimizer: the optimizer is null");
  optimizer_ = std::move(optimizer);
  return *this;
}

Trainer& Trainer::add_callback(std::shared_ptr<Callback> callback) {
  TG_CHECK(callback != nullptr, "Trainer::add_callback: the callback is null");
  callbacks_.push_back(std::move(callback));
  return *this;
}

Trainer& Trainer::add_callbacks(TrainCallbacks functions) {
  return add_callback(std::make_shared<FunctionCallbacks>(std::move(functions)));
}

TrainResult Trainer::fit(const TrainData& data) {
  TG_CHECK(!fitted_, "Trainer::fit: this Trainer has already trained; make a new one for another run");
  fitted_ = true;
  check_data(data);
  if (!options_.resume_from.empty()) check_resume_file(options_.resume_from);
  const auto run_start = Clock::now();
  nn::Module& model = *model_;
  const bool classification = has_class_labels(data.train);
  const LossFunction loss_function = loss_ ? loss_ : classification ? cross_entropy_loss() : mean_squared_error();
  std::vector<std::string> not_initialized;
  if (!options_.init_from.empty()) not_initialized = load_matching_tensors(model, options_.init_from);
  if (!optimizer_) {
    optimizer_ = optim::create(options_.optimizer, parameter_groups(model, options_.freeze, options_.lr_for),
                               options_.optimizer_options);
  } else {
    TG_CHECK(options_.freeze.empty() && options_.lr_for.empty(),
             "train: freeze and lr_for shape the optimizer the Trainer makes; with Trainer::set_optimizer, give the "
             "optimizer its parameter groups yourself");
  }
  optim::Optimizer& optimizer = *optimizer_;

  TG_CHECK(!options_.test_time_flip || (classification && data.train.images.dim() == 4),
           "train: test-time flip averaging is for class labels of images [N, C, H, W]; the data is {} with {} "
           "labels", data.train.images.shape().str(), dtype_name(data.train.labels.dtype()));
  Run run{model, optimizer, options_, callbacks_};
  run.classification = classification;
  std::unique_ptr<detail::DistributedRun> job;
  if (options_.distributed) job = detail::start_distributed_run(model_, options_.sync_batch_norm);
  run.job = job.get();
  const int rank = job ? job->rank() : 0, ranks = job ? job->size() : 1;
  EvaluationSet validation{data.validation}, test{data.test};
  if (job) {
    validation.share = evaluation_share(data.validation, rank, ranks);
    if (data.test.size() > 0) test.share = evaluation_share(data.test, rank, ranks);
  }
  if (options_.normalize) {
    try {
      run.norm = nn::data::compute_normalization(data.train);
    } catch (const Error& error) {
      fail("train: {} (a constant input cannot be normalized: train with TrainOptions::normalize = false, or drop "
           "it)", error.what());
    }
  }
  run.evaluation = {.batch_size = options_.evaluation_batch_size,
                    .flip_average = options_.test_time_flip,
                    .regression_loss = classification ? LossFunction{} : loss_function};
  nn::data::DataLoader loader(data.train, {.batch_size = options_.batch_size,
                                       .shuffle = true,
                                       .drop_last = false,
                                       .seed = options_.seed,
                                       .augmentation = options_.augmentation,
                                       .normalization = run.norm,
                                       .num_shards = ranks,
                                       .shard = rank});
  run.schedule = std::make_unique<TrainingSchedule>(parse_schedule(options_.schedule), optimizer, loader.num_batches(),
                                                    options_.epochs);
  if (options_.average) run.averaging.emplace(model.parameters(), options_.average_decay);
  const bool saves = !options_.checkpoint_dir.empty() && rank == 0;
  const std::int64_t first_epoch = options_.resume_from.empty() ? 1 : run.resume(options_.resume_from);
  if (rank > 0) {  // its own dropout stream, derived from rank 0's (which the run state keeps)
    const Generator::State state = default_generator().state();
    default_generator().set_state({nn::data::derive_seed(state.seed, static_cast<std::uint64_t>(rank)), state.offset});
  }
  TrainResult& result = run.result;
  result.parameters = model.num_parameters();
  result.ranks = ranks;
  result.not_initialized = std::move(not_initialized);

  const RunInfo info{model,
                     optimizer,
                     options_.epochs,
                     first_epoch,
                     loader.num_batches(),
                     data.train.size(),
                     data.validation.size(),
                     data.test.size(),
                     classification,
                     options_.average};
  for (const auto& callback : callbacks_) callback->on_train_begin(info);

  for (std::int64_t epoch = first_epoch; epoch <= options_.epochs; ++epoch) {
    const auto epoch_start = Clock::now();
    loader.set_epoch(epoch - 1);
    model.train();
    double loss_sum = 0;
    std::int64_t correct = 0, seen = 0, index = 0;
    for (const nn::data::Batch& batch : loader) {
      optimizer.zero_grad();
      const Tensor output = model(batch.images);
      const Tensor loss = loss_function(output, batch.labels);
      TG_CHECK(loss.numel() == 1, "train: the loss function returned {} values {}, expected one (a scalar)",
               loss.numel(), loss.shape().str());
      if (job) job->prepare_for_backward();
      loss.backward();
      if (job) job->synchronize_gradients();
      const StepContext context{++run.step, epoch, loss.item(), model, optimizer};
      for (const auto& callback : callbacks_) callback->before_step(context);
      optimizer.step();
      run.schedule->after_step();
      if (run.averaging) run.averaging->update();
      for (const auto& callback : callbacks_) callback->after_step(context);

      const std::int64_t n = batch.labels.size(0);
      loss_sum += context.loss * static_cast<double>(n);
      if (classification) correct += correct_predictions(output, batch.labels);
      seen += n;
      ++index;
      const double elapsed = seconds_since(epoch_start);
      const BatchProgress progress{epoch,
                                   options_.epochs,
                                   index,
                                   loader.num_batches(),
                                   loss_sum / static_cast<double>(seen),
                                   classification ? static_cast<double>(correct) / static_cast<double>(seen)
                                                  : std::nan(""),
                                   elapsed > 0 ? static_cast<double>(seen) / elapsed : 0};
      for (const auto& callback : callbacks_) callback->on_batch(progress);
    }
    if (job) {  // the job's numbers: every rank's shard
      std::vector<double> sums{loss_sum, static_cast<double>(correct), static_cast<double>(seen)};
      job->sum(sums);
      loss_sum = sums[0];
      correct = static_cast<std::int64_t>(sums[1]);
      seen = static_cast<std::int64_t>(sums[2]);
    }
    EpochRecord record;
    record.epoch = epoch;
    record.train_loss = loss_sum / static_cast<double>(seen);
    record.train_accuracy = classification ? static_cast<double>(correct) / static_cast<double>(seen) : std::nan("");
    record.samples_per_second = static_cast<double>(seen) / seconds_since(epoch_start);
    record.validation = run.score(validation);
    record.averaged_validation = run.evaluate_averaged(validation);
    run.schedule->after_epoch(record.validation.loss, record.validation.accuracy);
    record.lr = optimizer.lr(0);
    record.best = result.best_epoch == 0 || score_of(record.validation, classification) >
                                                score_of(result.history[static_cast<std::size_t>(result.best_epoch - 1)].validation,
                                                         classification);
    if (record.best) {
      result.best_epoch = epoch;
      result.best_validation_accuracy = record.validation.accuracy;
      result.best_validation_loss = record.validation.loss;
      run.best_state = model.state_dict();
      if (saves && result.save_error.empty()) {
        try {
          run.save_best(record);
        } catch (const Error& error) {
          run.report_save_error(error);
        }
      }
    }
    record.seconds = seconds_since(epoch_start);
    result.history.push_back(record);
    EpochContext context{result.history.back(), {run.step, epoch, record.train_loss, model, optimizer}};
    for (const auto& callback : callbacks_) callback->on_epoch_end(context);
    if (saves && result.save_error.empty()) {
      try {
        run.save_run_state(epoch);
      } catch (const Error& error) {
        run.report_save_error(error);
      }
    }
    if (job) {  // one rank's callback stopping stops them all
      std::vector<double> stops{context.stop ? 1.0 : 0.0};
      job->sum(stops);
      context.stop = stops[0] > 0;
    }
    if (context.stop && epoch < options_.epochs) {
      result.stopped_early = true;
      break;
    }
  }

  // The averages run over the whole training, whatever epoch was best.
  if (data.test.size() > 0) result.averaged_test = run.evaluate_averaged(test);
  model.load_state_dict(run.best_state);
  if (data.test.size() > 0) result.test = run.score(test);
  result.seconds = seconds_since(run_start);
  for (const auto& callback : callbacks_) callback->on_train_end(result);
  return result;
}

void check_files_and_prefixes(const nn::Module& model, const TrainOptions& options) {
  if (!options.resume_from.empty()) {
    check_resume_file(options.resume_from);
    check_epochs_left(options.resume_from, detail::load_run_state(options.resume_from), options.epochs);
  }
  if (!options.init_from.empty())
    tensors_not_set_by(model, model_tensors_in(options.init_from), options.init_from);
  check_prefixes(model, options.freeze, options.lr_for);
}

std::string checkpoint_file_name(const std::string& run, std::int64_t epoch, double validation_score) {
  return fmt::format("{}-epoch{:02}-val{:.4f}.safetensors", run, epoch, validation_score);
}

void prune_checkpoints(std::vector<std::string>& paths, std::int64_t keep) {
  if (keep <= 0 || static_cast<std::int64_t>(paths.size()) <= keep) return;
  const auto excess = static_cast<std::ptrdiff_t>(paths.size()) - static_cast<std::ptrdiff_t>(keep);
  for (auto it = paths.begin(); it != paths.begin() + excess; ++it) {
    std::error_code error;
    std::filesystem::remove(*it, error);
    TG_CHECK(!error, "train: cannot delete the old checkpoint '{}': {}", *it, error.message());
  }
  paths.erase(paths.begin(), paths.begin() + excess);
}

}  // namespace tg::train
