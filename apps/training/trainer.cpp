#include "trainer.hpp"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <memory>

#include <tapegrad/autograd.hpp>
#include <tapegrad/error.hpp>
#include <tapegrad/nn/checkpoint.hpp>
#include <tapegrad/nn/data/loader.hpp>
#include <tapegrad/ops/losses.hpp>
#include <tapegrad/ops/reduce_extra.hpp>
#include <tapegrad/optim/registry.hpp>
#include <tapegrad/optim/schedules.hpp>
#include <tapegrad/random.hpp>

namespace tg::apps {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::int64_t correct_predictions(const Tensor& logits, const Tensor& labels) {
  const auto predicted = argmax(logits, 1).to_vector<std::int64_t>();
  const auto truth = labels.to_vector<std::int64_t>();
  std::int64_t correct = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) correct += predicted[i] == truth[i];
  return correct;
}

std::unique_ptr<optim::LrScheduler> make_schedule(const TrainConfig& config, optim::Optimizer& optimizer,
                                                  std::int64_t total_steps) {
  if (config.schedule == "none") return nullptr;
  return std::make_unique<optim::LrScheduler>(optimizer, optim::CosineAnnealing{.period = total_steps});
}

std::string checkpoint_path(const TrainConfig& config) {
  return (std::filesystem::path(config.checkpoint_dir) / (config.model + "-best.safetensors")).string();
}

void save_best(const TrainConfig& config, const nn::Module& model, const optim::Optimizer& optimizer,
               const EpochRecord& record, const std::string& path) {
  std::filesystem::create_directories(config.checkpoint_dir);
  nn::save_checkpoint(path, model.state_dict(), optimizer.state_dict(),
                      {{"model", config.model},
                       {"optimizer", config.optimizer},
                       {"epoch", std::to_string(record.epoch)},
                       {"validation_accuracy", fmt::format("{:.4f}", record.validation.accuracy)}});
}

}  // namespace

void TrainConfig::validate() const {
  TG_CHECK(epochs >= 1, "train: epochs must be at least 1, got {}", epochs);
  TG_CHECK(batch_size >= 1, "train: batch size must be at least 1, got {}", batch_size);
  TG_CHECK(schedule == "cosine" || schedule == "none", "train: unknown schedule '{}'; known: cosine, none",
           schedule);
  TG_CHECK(label_smoothing >= 0 && label_smoothing < 1, "train: label smoothing must be in [0, 1), got {}",
           label_smoothing);
  augmentation.validate();
}

Evaluation evaluate(nn::Module& model, const data::Dataset& dataset, const std::optional<data::Normalization>& norm,
                    std::int64_t batch_size) {
  TG_CHECK(dataset.size() > 0, "evaluate: the dataset is empty");
  const bool was_training = model.is_training();
  model.eval();
  NoGradGuard no_grad;
  const data::DataLoader loader(dataset, {.batch_size = batch_size, .shuffle = false, .normalization = norm});
  double loss_sum = 0;
  std::int64_t correct = 0;
  for (const data::Batch& batch : loader) {
    const Tensor logits = model(batch.images);
    loss_sum += cross_entropy(logits, batch.labels, Reduction::sum).item();
    correct += correct_predictions(logits, batch.labels);
  }
  model.train(was_training);
  const double n = static_cast<double>(dataset.size());
  return {loss_sum / n, static_cast<double>(correct) / n};
}

TrainResult train_classifier(const TrainConfig& config, const TrainData& data, const TrainCallbacks& callbacks) {
  config.validate();
  TG_CHECK(data.train.size() > 0, "train: the training set is empty");
  TG_CHECK(data.validation.size() > 0, "train: the validation set is empty");
  const auto run_start = Clock::now();

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
  const auto schedule = make_schedule(config, *optimizer, config.epochs * loader.num_batches());

  TrainResult result;
  result.parameters = model->num_parameters();
  std::map<std::string, Tensor> best_state;
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
      optimizer->step();
      if (schedule) schedule->step();

      const std::int64_t n = batch.labels.numel();
      loss_sum += loss.item() * static_cast<double>(n);
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
    record.validation = evaluate(*model, data.validation, norm);
    record.lr = optimizer->lr(0);
    record.best = result.best_epoch == 0 || record.validation.accuracy > result.best_validation_accuracy;
    if (record.best) {
      result.best_epoch = epoch;
      result.best_validation_accuracy = record.validation.accuracy;
      best_state = model->state_dict();
      if (!config.checkpoint_dir.empty()) {
        result.checkpoint = checkpoint_path(config);
        save_best(config, *model, *optimizer, record, result.checkpoint);
      }
    }
    record.seconds = seconds_since(epoch_start);
    result.history.push_back(record);
    if (callbacks.on_epoch) callbacks.on_epoch(record);
  }

  model->load_state_dict(best_state);
  if (data.test.size() > 0) result.test = evaluate(*model, data.test, norm);
  result.seconds = seconds_since(run_start);
  return result;
}

}  // namespace tg::apps
