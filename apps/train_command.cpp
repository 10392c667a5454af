// `tapegrad train`: trains a classifier on Fashion-MNIST (MISSION.md, the main job).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include <tapegrad/nn/data/fashion_mnist.hpp>
#include <tapegrad/nn/data/split.hpp>
#include <tapegrad/optim/registry.hpp>
#include <tapegrad/parallel.hpp>

#include "commands.hpp"
#include "training/plugins.hpp"
#include "training/progress_bar.hpp"
#include "training/trainer.hpp"

namespace tg::apps {

namespace {

struct TrainArgs {
  std::string model = "cnn";
  std::optional<std::int64_t> epochs;
  std::optional<double> dropout;
  std::optional<double> lr;
  std::int64_t batch_size = 64;
  std::string optimizer = "adamw";
  std::vector<std::string> optimizer_options;
  std::string schedule = "cosine";
  bool augment = false;
  std::optional<double> flip, jitter, label_smoothing;
  std::optional<std::int64_t> crop_padding;
  std::int64_t validation_size = 5000;
  std::int64_t train_limit = 0;
  std::uint64_t seed = 0;
  int threads = 0;
  std::string data_dir;
  std::string checkpoint_dir = "checkpoints";
  bool json = false;
  bool list_optimizers = false;
  std::vector<std::string> plugins;
};

// Per-model defaults, chosen so the default run finishes in under 5 minutes on 2 cores
// and reaches the accuracies in the README (measured there).
constexpr double kDefaultWeightDecay = 0.05;  // adamw's, when --opt weight_decay is not given

TrainConfig make_config(const TrainArgs& a) {
  TrainConfig c;
  c.model = a.model;
  const bool cnn = a.model == "cnn";
  c.epochs = a.epochs.value_or(cnn ? 15 : 30);
  c.model_options.dropout = a.dropout.value_or(cnn ? 0.5 : 0.2);
  c.optimizer = a.optimizer;
  c.optimizer_options = optim::parse_options(a.optimizer_options);
  if (c.optimizer == "adamw" && !c.optimizer_options.find("weight_decay"))
    c.optimizer_options.set("weight_decay", kDefaultWeightDecay);
  if (a.lr) c.optimizer_options.set("lr", *a.lr);
  c.schedule = a.schedule;
  c.batch_size = a.batch_size;
  c.seed = a.seed;
  if (a.augment) c.augmentation = {.flip_probability = 0.5, .crop_padding = 2, .jitter = 0.1};
  if (a.flip) c.augmentation.flip_probability = *a.flip;
  if (a.crop_padding) c.augmentation.crop_padding = *a.crop_padding;
  if (a.jitter) c.augmentation.jitter = *a.jitter;
  c.label_smoothing = a.label_smoothing.value_or(0.0);
  c.checkpoint_dir = a.checkpoint_dir;
  return c;
}

TrainData load_data(const TrainArgs& a) {
  const std::string dir = a.data_dir.empty() ? data::fashion_mnist_dir() : a.data_dir;
  data::Dataset full = data::load_fashion_mnist(dir, data::Split::train);
  TG_CHECK(a.validation_size >= 1 && a.validation_size < full.size(),
           "train: --validation must be in [1, {}), got {}", full.size(), a.validation_size);
  auto split = data::train_validation_split(full, a.validation_size, a.seed);
  if (a.train_limit > 0 && a.train_limit < split.train.size()) {
    std::vector<std::int64_t> first(static_cast<std::size_t>(a.train_limit));
    for (std::int64_t i = 0; i < a.train_limit; ++i) first[static_cast<std::size_t>(i)] = i;
    split.train = split.train.subset(first);
  }
  return {split.train, split.validation, data::load_fashion_mnist(dir, data::Split::test)};
}

nlohmann::json to_json(const TrainConfig& c, const TrainResult& r) {
  nlohmann::json history = nlohmann::json::array();
  for (const EpochRecord& e : r.history)
    history.push_back({{"epoch", e.epoch},
                       {"train_loss", e.train_loss},
                       {"train_accuracy", e.train_accuracy},
                       {"validation_loss", e.validation.loss},
                       {"validation_accuracy", e.validation.accuracy},
                       {"lr", e.lr},
                       {"seconds", e.seconds},
                       {"samples_per_second", e.samples_per_second}});
  return {{"model", c.model},
          {"parameters", r.parameters},
          {"optimizer", c.optimizer},
          {"epochs", c.epochs},
          {"batch_size", c.batch_size},
          {"seed", c.seed},
          {"seconds", r.seconds},
          {"best_epoch", r.best_epoch},
          {"best_validation_accuracy", r.best_validation_accuracy},
          {"test_loss", r.test.loss},
          {"test_accuracy", r.test.accuracy},
          {"checkpoint", r.checkpoint},
          {"history", history}};
}

void print_epoch_row(std::FILE* out, const EpochRecord& e) {
  fmt::print(out, "{:>5}  {:>10.4f}  {:>9.4f}  {:>8.4f}  {:>7.4f}  {:>8.2e}  {:>6.1f} s  {:>6.0f}  {}\n", e.epoch,
             e.train_loss, e.train_accuracy, e.validation.loss, e.validation.accuracy, e.lr, e.seconds,
             e.samples_per_second, e.best ? "*" : "");
}

int run_train(const TrainArgs& args) {
  for (const std::string& plugin : args.plugins) load_plugin(plugin);
  if (args.list_optimizers) {
    fmt::print("{}", optim::describe_registered());
    return 0;
  }
  if (args.threads > 0) set_num_threads(args.threads);
  const TrainConfig config = make_config(args);
  config.validate();
  optim::find_optimizer(config.optimizer);  // a bad name fails before the data is loaded (--model is checked by CLI11)

  std::FILE* text = args.json ? stderr : stdout;  // with --json, stdout carries only the JSON
  const TrainData data = load_data(args);
  fmt::print(text, "tapegrad train: {} on Fashion-MNIST ({} train / {} validation / {} test), {} epochs, {}, batch {}, {} threads\n",
             config.model, data.train.size(), data.validation.size(), data.test.size(), config.epochs,
             config.optimizer, config.batch_size, get_num_threads());
  fmt::print(text, "{:>5}  {:>10}  {:>9}  {:>8}  {:>7}  {:>8}  {:>8}  {:>6}\n", "epoch", "train loss", "train acc",
             "val loss", "val acc", "lr", "time", "img/s");
  std::fflush(text);

  ProgressBar bar(stderr);
  TrainCallbacks callbacks;
  callbacks.on_batch = [&](const BatchProgress& p) { bar.update(p); };
  callbacks.on_epoch = [&](const EpochRecord& e) {
    bar.clear();
    print_epoch_row(text, e);
    std::fflush(text);
  };
  const TrainResult result = train_classifier(config, data, callbacks);

  fmt::print(text, "\ntest accuracy {:.4f} (loss {:.4f}) with the parameters of epoch {} (validation accuracy {:.4f}); {:.1f} s\n",
             result.test.accuracy, result.test.loss, result.best_epoch, result.best_validation_accuracy,
             result.seconds);
  if (!result.checkpoint.empty()) fmt::print(text, "best checkpoint: {}\n", result.checkpoint);
  if (args.json) fmt::print("{}\n", to_json(config, result).dump(2));
  return 0;
}

}  // namespace

void add_train_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* cmd = app.add_subcommand("train", "Train a classifier on Fashion-MNIST");
  cmd->add_option("--model", args->model, "mlp or cnn")->check(CLI::IsMember({"mlp", "cnn"}))->capture_default_str();
  cmd->add_option("--epochs", args->epochs, "Epochs (default: cnn 15, mlp 30)");
  cmd->add_option("--batch-size", args->batch_size, "Batch size")->capture_default_str();
  cmd->add_option("--optimizer", args->optimizer, "A registered optimizer (--list-optimizers); adamw defaults to weight_decay=0.05 here")->capture_default_str();
  cmd->add_option("--opt", args->optimizer_options, "Optimizer option key=value (repeatable), e.g. --opt beta2=0.99");
  cmd->add_option("--lr", args->lr, "Learning rate (the same as --opt lr=...)");
  cmd->add_option("--schedule", args->schedule, "Learning-rate schedule: cosine or none")->capture_default_str();
  cmd->add_option("--dropout", args->dropout, "Dropout probability (default: cnn 0.5, mlp 0.2)");
  cmd->add_flag("--augment", args->augment, "Augment: horizontal flip, random crop (pad 2), brightness/contrast jitter");
  cmd->add_option("--flip", args->flip, "Horizontal flip probability (overrides --augment's 0.5)");
  cmd->add_option("--crop-padding", args->crop_padding, "Random crop padding in pixels (overrides --augment's 2)");
  cmd->add_option("--jitter", args->jitter, "Brightness/contrast jitter strength (overrides --augment's 0.1)");
  cmd->add_option("--label-smoothing", args->label_smoothing, "Label smoothing of the training loss, in [0, 1)");
  cmd->add_option("--validation", args->validation_size, "Validation samples held out of the training file")
      ->capture_default_str();
  cmd->add_option("--train-limit", args->train_limit, "Train on the first N training samples only (0: all)");
  cmd->add_option("--seed", args->seed, "Seed for initialization, shuffling, dropout and augmentation")
      ->capture_default_str();
  cmd->add_option("--threads", args->threads, "Threads (default: OMP_NUM_THREADS or all cores)");
  cmd->add_option("--data", args->data_dir, "Fashion-MNIST folder (default: $TAPEGRAD_FASHION_MNIST_DIR or "
                                            "/usr/share/datasets/fashion-mnist)");
  cmd->add_option("--checkpoint-dir", args->checkpoint_dir, "Where the best checkpoint is saved (\"\": nowhere)")
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "Print one JSON object with the results to stdout");
  cmd->add_option("--plugin", args->plugins, "A shared module that registers optimizers (repeatable)");
  cmd->add_flag("--list-optimizers", args->list_optimizers, "List the registered optimizers and their options");
  cmd->callback([args, &exit_code] { exit_code = run_train(*args); });
}

}  // namespace tg::apps
