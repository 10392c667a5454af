#include <tapegrad/train/trainer.hpp>

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <memory>

#include <tapegrad/autograd.hpp>
#include <tapegrad/error.hpp>
#include <tapegrad/nn/checkpoint.hpp>
#include <tapegrad/nn/data/loader.hpp>
#include <tapegrad/ops/losses.hpp>
#include <tapegrad/optim/averaging.hpp>
#include <tapegrad/optim/registry.hpp>
#include <tapegrad/random.hpp>

#include <tapegrad/train/output_folder.hpp>
#include <tapegrad/train/schedule.hpp>
#include <tapegrad/train/normalization_metadata.hpp>

namespace tg::train {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string checkpoint_path(const TrainConfig& config, const std::string& file_name) {
  return (std::filesystem::path(config.checkpoint_dir) / file_name).string();
}

// Saves the model as the epoch's checkpoint (named by its validation accuracy; its path is
// added to saved as soon as it is written) and as "<model>-best".
void save_best(const TrainConfig& config, const nn::Module& model, const optim::Optimizer& optimizer,
               const std::optional<data::Normalization>& norm, const EpochRecord& record, const std::string& best_path,
               std::vector<std::string>& saved) {
  prepare_output_folder("saving a checkpoint", config.checkpoint_dir);  // again: it may have gone since
  const auto model_state = model.state_dict();
  const auto optimizer_state = optimizer.state_dict();
  std::map<std::string, std::string> metadata = {
      {"model", config.model},
      {"optimizer", config.optimizer},
      {"dropout", fmt::format("{}", config.model_options.dropout)},  // whether the model has Dropout layers
      {"width", std::to_string(config.model_options.width)},
      {"epoch", std::to_string(record.epoch)},
      {"validation_accuracy", fmt::format("{:.4f}", record.validation.accuracy)}};
  if (norm) add_normalization_metadata(*norm, metadata);
  const std::string epoch_path =
      checkpoint_path(config, checkpoint_file_name(config.model, record.epoch, record.validation.accuracy));
  nn::save_checkpoint(epoch_path, model_state, optimizer_state, metadata);
  saved.push_back(epoch_path);
  nn::save_checkpoint(best_path, model_state, optimizer_state, metadata);
}

std::optional<Evaluation> evaluate_averaged(std::optional<optim::ParameterAveraging>& averaging, nn::Module& model,
                                            const data::Dataset& dataset,
                                            const std::optional<data::Normalization>& norm,
                                            const EvaluationOptions& options) {
  if (!averaging) return std::nullopt;
  const auto swapped = averaging->swap_in();
  return evaluate(model, dataset, norm, options);
}

}  // namespace

void append_hook(StepHook& slot, StepHook hook) {
  if (!slot) {
    slot = std::move(hook);
    return;
  }
  slot = [first = std::move(slot), second = std::move(hook)](const StepContext& context) {
    first(context);
    second(context);
  };
}

std::string checkpoint_file_name(const std::string& model, std::int64_t epoch, double validation_accuracy) {
  return fmt::format("{}-epoch{:02}-val{:.4f}.safetensors", model, epoch, validation_accuracy);
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

void TrainConfig::validate() const {
  TG_CHECK(epochs >= 1, "train: epochs must be at least 1, got {}", epochs);
  TG_CHECK(batch_size >= 1, "train: batch size must be at least 1, got {}", batch_size);
  TG_CHECK(keep_checkpoints >= 0, "train: --keep-checkpoints must be at least 0, got {}", keep_checkpoints);
  parse_schedule(schedule);
  TG_CHECK(label_smoothing >= 0 && label_smoothing < 1, "train: label smoothing must be in [0, 1), got {}",
           label_smoothing);
  TG_CHECK(average_decay > 0 && average_decay < 1, "train: the averaging decay must be in (0, 1), got {}",
           average_decay);
  augmentation.validate();
  nn::check_model_options(model, model_options);
}

TrainResult train_classifier(const TrainConfig& config, const TrainData& data, const TrainCallbacks& callbacks) {
  config.validate();
  TG_CHECK(data.train.size() > 0, "train: the training set is empty");
  TG_CHECK(data.validation.size() > 0, "train: the validation set is empty");
  const auto run_start = Clock::now();
  const EvaluationOptions evaluation{.flip_average = config.test_time_flip};

  manual_seed(config.seed);  // model init and dropout draw from the thread's default generator
  const nn::ModulePtr model = nn::make_model(config.model, config.model_options);
  const auto optimizer = optim::create(config.optimizer, model->parameters(), config.optimizer_options);
  const std::optional<data::Normalization> norm = data::compute_normalization(data.train);
  data::DataLoader loader(data.train, {.batch_size = config.batch_size,
                                       .shuffle = true,
                                       .drop_last = false,
                                       .seed = config.seed,
                                       .augmentation = config.augmentation,
                                       .normalization = norm});
  TrainingSchedule schedule(parse_schedule(config.schedule), *optimizer, loader.num_batches(), config.epochs);
  std::optional<optim::ParameterAveraging> averaging;
  if (config.average) averaging.emplace(model->parameters(), config.average_decay);

  TrainResult result;
  result.parameters = model->num_parameters();
  std::map<std::string, Tensor> best_state;
  std::int64_t step = 0;
  for (std::int64_t epoch = 1; epoch <= config.epochs; ++epoch) {
    const auto epoch_start = Clock::now();
    loader.set_epoch(epoch - 1);
    model->train();
    double loss_sum = 0;
    std::int64_t correct = 0, seen = 0, index = 0;
    for (const data::Batch& batch : loader) {
      optimizer->zero_grad();
      const Tensor logits = (*model)(batch.images);
      const Tensor loss = cross_entropy(logits, batch.labels, Reduction::mean, config.label_smoothing);
      loss.backward();
      const StepContext context{++step, epoch, loss.item(), *model, *optimizer};
      if (callbacks.before_step) callbacks.before_step(context);
      optimizer->step();
      schedule.after_step();
      if (averaging) averaging->update();
      if (callbacks.after_step) callbacks.after_step(context);

      const std::int64_t n = batch.labels.numel();
      loss_sum += context.loss * static_cast<double>(n);
      correct += correct_predictions(logits, batch.labels);
      seen += n;
      ++index;
      if (callbacks.on_batch) {
        const double elapsed = seconds_since(epoch_start);
        callbacks.on_batch({epoch, config.epochs, index, loader.num_batches(), loss_sum / static_cast<double>(seen),
                            static_cast<double>(correct) / static_cast<double>(seen),
                            elapsed > 0 ? static_cast<double>(seen) / elapsed : 0});
      }
    }
    EpochRecord record;
    record.epoch = epoch;
    record.train_loss = loss_sum / static_cast<double>(seen);
    record.train_accuracy = static_cast<double>(correct) / static_cast<double>(seen);
    record.samples_per_second = static_cast<double>(seen) / seconds_since(epoch_start);
    record.validation = evaluate(*model, data.validation, norm, evaluation);
    record.averaged_validation = evaluate_averaged(averaging, *model, data.validation, norm, evaluation);
    schedule.after_epoch(record.validation.loss, record.validation.accuracy);
    record.lr = optimizer->lr(0);
    record.best = result.best_epoch == 0 || record.validation.accuracy > result.best_validation_accuracy;
    if (record.best) {
      result.best_epoch = epoch;
      result.best_validation_accuracy = record.validation.accuracy;
      best_state = model->state_dict();
      if (!config.checkpoint_dir.empty() && result.save_error.empty()) {
        try {
          const std::string best_path = checkpoint_path(config, config.model + "-best.safetensors");
          save_best(config, *model, *optimizer, norm, record, best_path, result.checkpoints);
          result.checkpoint = best_path;
          prune_checkpoints(result.checkpoints, config.keep_checkpoints);
        } catch (const Error& error) {
          if (!callbacks.on_save_error) throw;
          result.save_error = error.what();
          result.checkpoint.clear();  // the best file on disk, if any, is of an older epoch
          callbacks.on_save_error(result.save_error);
        }
      }
    }
    record.seconds = seconds_since(epoch_start);
    result.history.push_back(record);
    if (callbacks.after_epoch) callbacks.after_epoch({step, epoch, record.train_loss, *model, *optimizer});
    if (callbacks.on_epoch) callbacks.on_epoch(record);
  }

  // The averages run over the whole training, whatever epoch was best.
  if (data.test.size() > 0) result.averaged_test = evaluate_averaged(averaging, *model, data.test, norm, evaluation);
  model->load_state_dict(best_state);
  if (data.test.size() > 0) result.test = evaluate(*model, data.test, norm, evaluation);
  result.seconds = seconds_since(run_start);
  return result;
}

}  // namespace tg::train
