// `tapegrad train`: trains a classifier on Fashion-MNIST.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include <filesystem>
#include <memory>

#include <tapegrad/optim/registry.hpp>
#include <tapegrad/parallel.hpp>
#include <tapegrad/train/fashion_mnist.hpp>
#include <tapegrad/train/models.hpp>

#include <tapegrad/train/output_folder.hpp>
#include <tapegrad/train/profile_steps.hpp>
#include "cli/file_patterns.hpp"
#include "cli/ranged_option.hpp"
#include "commands.hpp"
#include <tapegrad/train/diagnostics/diagnostics_output.hpp>
#include <tapegrad/train/distributed.hpp>
#include <tapegrad/train/diagnostics/ensemble.hpp>
#include <tapegrad/train/diagnostics/fixed_batch.hpp>
#include <tapegrad/train/diagnostics/model_gradcheck.hpp>
#include <tapegrad/train/diagnostics/sanity.hpp>
#include <tapegrad/train/diagnostics/train_report.hpp>
#include <tapegrad/train/diagnostics/training_monitor.hpp>
#include <tapegrad/train/epoch_table.hpp>
#include <tapegrad/train/fashion_data.hpp>
#include <tapegrad/train/plugins.hpp>
#include <tapegrad/train/progress_bar.hpp>
#include <tapegrad/train/result_json.hpp>
#include <tapegrad/train/schedule.hpp>
#include <tapegrad/train/schedule.hpp>
#include <tapegrad/train/trainer.hpp>

namespace tg::apps {

using namespace tg::train;

namespace {

struct TrainArgs {
  std::string model = "cnn";
  std::optional<std::int64_t> epochs;
  std::optional<double> dropout;
  std::int64_t width = 1;
  std::optional<double> lr;
  std::int64_t batch_size = 64;
  std::string optimizer = "adamw";
  std::vector<std::string> optimizer_options;
  std::string schedule = "cosine";
  bool augment = false;
  bool tta_flip = false;
  std::optional<double> flip, jitter, label_smoothing;
  std::optional<std::int64_t> crop_padding;
  std::int64_t validation_size = 5000;
  std::int64_t train_limit = 0;
  std::uint64_t seed = 0;
  int threads = 0;
  std::string data_dir;
  std::string checkpoint_dir = "checkpoints";
  std::int64_t keep_checkpoints = 3;
  std::string resume, init_from;
  std::vector<std::string> freeze, lr_for;
  bool json = false;
  bool list_optimizers = false;
  bool list_models = false;
  std::vector<std::string> plugins;
  // diagnostics
  bool sanity = false, then_train = false;
  std::optional<std::string> report;  // unset: next to the checkpoints; "": none
  std::int64_t ratio_every = 50;
  bool average = false;
  std::vector<std::string> ensemble;  // files and patterns, expanded by the command
  std::int64_t gradcheck_every = 0;  // 0: never
  std::int64_t profile_steps = 0;    // 0: no profile
  bool gradcheck_every_given = false;
  // data-parallel across the ranks of an mpirun job
  bool distributed = false, sync_bn = false;
  double dist_timeout = 300;
};

// Examples the diagnostics look at: the sanity checks' batch (from the training split),
// the histograms' and the gradcheck's (from the validation split).
constexpr std::int64_t kSanityExamples = 256;
constexpr std::int64_t kHistogramExamples = 64;  // the cnn's first conv alone gives 1.6 million values
constexpr std::int64_t kGradcheckExamples = 4;

constexpr cli::IntRange kWidth{1, 16};  // make_model's
constexpr cli::IntRange kCropPadding{0, 14};
constexpr cli::IntRange kKeepCheckpoints{0, 1'000'000};  // 0: all
constexpr cli::RealRange kDistTimeout{0, 86'400};  // 0: no limit
// The images of Fashion-MNIST's training file: the schedule's check before the data loads
// counts the steps of an epoch from it (train/fashion_mnist.hpp).
constexpr std::int64_t kFashionTrainImages = 60'000;

// Per-model defaults, chosen so the default run finishes in under 5 minutes on 2 cores
// and reaches the accuracies in the README (measured there).
constexpr double kDefaultWeightDecay = 0.05;  // adamw's, when --opt weight_decay is not given

TrainConfig make_config(const TrainArgs& a) {
  TrainConfig c;
  c.model = a.model;
  const bool cnn = a.model == "cnn";
  c.epochs = a.epochs.value_or(cnn ? 12 : 30);  // cnn: 12 epochs test 0.9231, 15 epochs 0.9235
  // A model without Dropout layers (a plug-in's may have none) defaults to none.
  c.model_options.dropout = a.dropout.value_or(cnn ? 0.5 : nn::find_model(a.model).uses_dropout ? 0.2 : 0.0);
  c.model_options.width = a.width;
  c.optimizer = a.optimizer;
  c.optimizer_options = optim::parse_options(a.optimizer_options);
  if (c.optimizer == "adamw" && !c.optimizer_options.find("weight_decay"))
    c.optimizer_options.set("weight_decay", kDefaultWeightDecay);
  TG_CHECK(!a.lr || !c.optimizer_options.contains("lr"),
           "train: --lr {} and --opt lr=... both set the learning rate; give one of them", *a.lr);
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
  c.keep_checkpoints = a.keep_checkpoints;
  c.resume_from = a.resume;
  c.init_from = a.init_from;
  c.freeze = a.freeze;
  for (const std::string& entry : a.lr_for) {
    const auto equals = entry.rfind('=');
    TG_CHECK(equals != std::string::npos && equals > 0,
             "train: --lr-for '{}': expected PREFIX=VALUE, e.g. --lr-for 5.=1e-4", entry);
    c.lr_for.emplace_back(entry.substr(0, equals),
                          cli::parse_in_range(fmt::format("train: --lr-for '{}'", entry), entry.substr(equals + 1),
                                              cli::kPositive));
  }
  c.average = a.average;
  c.test_time_flip = a.tta_flip;
  c.distributed = a.distributed;
  c.sync_batch_norm = a.sync_bn;
  return c;
}

TrainData load_data(const TrainArgs& a) {
  TrainData d = load_fashion_mnist_data(a.data_dir, a.validation_size, a.seed, "train", /*with_test=*/true);
  d.train = first_samples(d.train, a.train_limit);
  return d;
}

nlohmann::json to_json(const TrainConfig& c, const TrainResult& r) {
  nlohmann::json out = train::to_json(static_cast<const TrainOptions&>(c));
  out.update(train::to_json(r));
  out["model"] = c.model;
  out["width"] = c.model_options.width;
  return out;
}

std::string report_path(const TrainArgs& a) {
  if (a.report) return *a.report;
  const std::string file = a.model + "-report.html";
  return a.checkpoint_dir.empty() ? file : (std::filesystem::path(a.checkpoint_dir) / file).string();
}

void check_distributed_args(const TrainArgs& a) {
  if (!a.distributed) return;
  TG_CHECK(a.ensemble.empty(), "train: --ensemble evaluates checkpoints and trains nothing; it does not go with "
           "--distributed");
  TG_CHECK(!a.sanity, "train: --sanity checks one process's model; run it without --distributed");
  TG_CHECK(!a.gradcheck_every_given, "train: --gradcheck-every runs extra backward passes on one rank, which a "
           "data-parallel run cannot take; run it without --distributed");
}

void check_diagnostics_args(const TrainArgs& a) {
  TG_CHECK(!a.then_train || a.sanity, "train: --then-train goes with --sanity");
  if (!a.ensemble.empty()) check_ensemble_members(a.ensemble);  // before the data is loaded
  TG_CHECK(a.ensemble.empty() || !a.sanity, "train: --ensemble evaluates checkpoints and trains nothing; it does not "
           "go with --sanity");
}

// The optimizer's options and the schedule, checked as the run will use them: every error
// they can raise comes before the data loads and the table's header prints.
void check_run_before_data(const TrainArgs& a, const TrainConfig& config, int ranks) {
  const std::int64_t validation = std::min(a.validation_size, kFashionTrainImages - 1);
  const std::int64_t images = a.train_limit > 0 ? std::min(a.train_limit, kFashionTrainImages - validation)
                                                : kFashionTrainImages - validation;
  const std::int64_t shard = (images + ranks - 1) / ranks;  // each rank's, padded (nn::data::ShardTail::pad)
  const std::int64_t steps_per_epoch = (shard + config.batch_size - 1) / config.batch_size;
  check_optimizer_and_schedule(config.optimizer, config.optimizer_options, parse_schedule(a.schedule),
                               steps_per_epoch, config.epochs);
}

void check_data_folder(const TrainArgs& a) {
  const std::string folder = a.data_dir.empty() ? train::fashion_mnist_dir() : a.data_dir;
  std::error_code ignored;
  TG_CHECK(std::filesystem::is_directory(folder, ignored),
           "train: --data: no folder '{}' holding Fashion-MNIST; install the Debian package with "
           "`apt-get install dataset-fashion-mnist`, or give --data or {} a folder with the files",
           folder, train::kFashionMnistDirVariable);
}

int run_ensemble(const TrainArgs& args, const TrainData& data, const nn::data::Normalization& norm, std::FILE* text) {
  const EnsembleResult result = evaluate_ensemble(args.ensemble, data.test, norm, {.flip_average = args.tta_flip});
  fmt::print(text, "tapegrad train --ensemble: {} checkpoints on the Fashion-MNIST test set ({} images)\n",
             result.members.size(), data.test.size());
  for (const std::string& line : ensemble_lines(result)) fmt::print(text, "{}\n", line);
  if (args.json) fmt::print("{}\n", to_json(result).dump(2));
  return 0;
}

SanityResults run_sanity(const TrainConfig& config, const TrainData& data, const nn::data::Normalization& norm,
                         std::FILE* text) {
  SanityOptions options;
  options.model = config.model;
  options.model_options = config.model_options;
  options.seed = config.seed;
  fmt::print(text, "sanity checks ({}, seed {}):\n", config.model, config.seed);
  std::fflush(text);
  const SanityResults results = run_sanity_checks(options, first_examples(data.train, kSanityExamples, norm));
  for (const std::string& line : results.lines()) fmt::print(text, "{}\n", line);
  std::fflush(text);
  return results;
}

// Checked before the data is loaded: a checkpoint or report that cannot be written should
// fail before the run, not after it.
void prepare_output_folders(const TrainArgs& args) {
  if (!args.checkpoint_dir.empty()) train::prepare_output_folder("train: --checkpoint-dir", args.checkpoint_dir);
  if (const std::string report = report_path(args); !report.empty())
    train::prepare_folder_of(fmt::format("train: --report '{}'", report), report);
}

// "batch 64", or distributed "batch 128 (64 per rank x 2 ranks)".
std::string describe_batch(const TrainConfig& config, int ranks) {
  if (!config.distributed) return fmt::format("batch {}", config.batch_size);
  return fmt::format("batch {} ({} per rank x {} rank{})", config.batch_size * ranks, config.batch_size, ranks,
                     ranks == 1 ? "" : "s");
}

// A distributed run's ranks other than 0: they train their share and print nothing.
int run_training_quietly(const TrainConfig& config, const TrainData& data) {
  train_classifier(config, data);
  return 0;
}

int run_training(const TrainArgs& args, const TrainConfig& config, const TrainData& data,
                 const nn::data::Normalization& norm, const std::optional<SanityResults>& sanity, std::FILE* text,
                 int ranks) {
  fmt::print(text, "tapegrad train: {} on Fashion-MNIST ({} train / {} validation / {} test), {} epochs, {}, {}, "
                   "{}, {}{}\n",
             config.model, data.train.size(), data.validation.size(), data.test.size(), config.epochs,
             config.optimizer, describe_batch(config, ranks), describe(parse_schedule(config.schedule)),
             describe_num_threads(), config.distributed ? " per rank" : "");
  std::fflush(text);

  if (config.test_time_flip && config.augmentation.flip_probability == 0)
    fmt::print(text, "warning: --tta-flip without flip augmentation (--flip or --augment): the model never sees a "
                     "mirrored image in training, and averaging over mirrors usually lowers its accuracy\n");
  const auto bar = std::make_shared<ProgressBar>(stderr);
  const auto print_line = [&](const std::string& message) {
    bar->clear();
    fmt::print(text, "{}\n", message);
    std::fflush(text);
  };
  std::vector<std::shared_ptr<Callback>> callbacks = {bar, std::make_shared<EpochTable>(text)};
  // A save that fails mid-run ends the command with an error only after the test evaluation
  // and the JSON: they are the run's results, whatever happened to its files.
  std::vector<std::string> write_errors;
  TrainCallbacks on_save_error;
  on_save_error.on_save_error = [&](const std::string& error) {
    print_line(fmt::format("error: {}; training goes on without saving checkpoints", error));
    write_errors.push_back(error);
  };
  const std::string report_file = report_path(args);
  std::shared_ptr<TrainingMonitor> monitor;
  if (!report_file.empty()) {
    monitor = std::make_shared<TrainingMonitor>(first_examples(data.validation, kHistogramExamples, norm),
                                                MonitorOptions{.ratio_every = args.ratio_every}, print_line);
    callbacks.push_back(monitor);
  }
  std::shared_ptr<StepGradcheck> gradcheck;
  if (args.gradcheck_every_given) {
    gradcheck = std::make_shared<StepGradcheck>(args.gradcheck_every,
                                                first_examples(data.validation, kGradcheckExamples, norm), print_line,
                                                ModelGradcheckOptions{.seed = config.seed});
    callbacks.push_back(gradcheck);
  }
  std::shared_ptr<ProfileSteps> profile;
  if (args.profile_steps > 0) {
    // Steps 1-10 create oneDNN's primitives and fill the memory pool: left out.
    profile = std::make_shared<ProfileSteps>(11, args.profile_steps, text);
    callbacks.push_back(profile);
  }
  const TrainResult result = train_classifier(config, data, on_save_error, callbacks);

  fmt::print(text, "\ntest accuracy {:.4f} (loss {:.4f}) with the parameters of epoch {} (validation accuracy {:.4f}); {:.1f} s\n",
             result.test.accuracy, result.test.loss, result.best_epoch, result.best_validation_accuracy,
             result.seconds);
  if (result.averaged_test)
    fmt::print(text, "test accuracy {:.4f} (loss {:.4f}) with the averaged parameters (EMA {})\n",
               result.averaged_test->accuracy, result.averaged_test->loss, config.average_decay);
  if (!result.checkpoint.empty()) fmt::print(text, "best checkpoint: {}\n", result.checkpoint);
  if (!result.run_state.empty()) fmt::print(text, "run state: {} (--resume continues from it)\n", result.run_state);
  if (!result.not_initialized.empty())
    fmt::print(text, "--init-from left at their initialization: {}\n", fmt::join(result.not_initialized, ", "));
  nlohmann::json json = to_json(config, result);
  if (monitor) {
    const auto ratios = summarize(monitor->update_ratios());
    fmt::print(text, "\nupdate/weight ratio per parameter (every {} steps; healthy near 1e-3):\n{}", args.ratio_every,
               ratio_table(ratios));
    json["update_ratios"] = to_json(ratios);
    try {
      // The architecture's table from a fresh model of the same config, built after the run
      // so that the run's random stream is untouched.
      const ModelSummary summary =
          summarize_model(*nn::make_model(config.model, config.model_options),
                          first_examples(data.validation, kHistogramExamples, norm).images);
      make_train_report({config, result, *monitor, summary, sanity ? &*sanity : nullptr,
                         gradcheck ? &gradcheck->reports() : nullptr, config.model + " on Fashion-MNIST"})
          .save(report_file);
      fmt::print(text, "report: {}\n", report_file);
      json["report"] = report_file;
    } catch (const Error& error) {
      write_errors.push_back(error.what());
    }
  }
  if (sanity) json["sanity"] = to_json(*sanity);
  if (profile && profile->report()) json["profile"] = nlohmann::json::parse(profile->report()->to_json());
  if (gradcheck) json["gradchecks"] = train::to_json(gradcheck->reports());
  if (!write_errors.empty()) json["write_errors"] = write_errors;
  if (args.json) fmt::print("{}\n", json.dump(2));
  std::fflush(stdout);
  TG_CHECK(write_errors.empty(), "train: the run finished, but {}", fmt::join(write_errors, "; and "));
  return gradcheck && !gradcheck->passed() ? 1 : 0;
}

int run_train(const TrainArgs& args) {
  for (const std::string& plugin : args.plugins) fmt::print(stderr, "{}\n", describe(load_plugin(plugin)));
  if (args.list_optimizers || args.list_models) {
    if (args.list_models) fmt::print("{}", nn::describe_registered_models());
    if (args.list_optimizers) fmt::print("{}", optim::describe_registered());
    return 0;
  }
  check_distributed_args(args);
  // The MPI job comes first: every rank then runs the same checks, and an error on one
  // ends it (mpirun stops the others).
  std::optional<MpiSession> mpi;
  if (args.distributed) {
    mpi.emplace();
    mpi->set_timeout(args.dist_timeout);
  }
  const int rank = mpi ? mpi->rank() : 0, ranks = mpi ? mpi->size() : 1;
  if (args.threads > 0) set_num_threads(args.threads);
  const TrainConfig config = make_config(args);
  config.validate();
  check_diagnostics_args(args);
  optim::find_optimizer(config.optimizer);  // a bad name fails before the data is loaded, as a bad --model does
                                            // (config.validate(), after the plug-ins have registered theirs)
  check_files_and_prefixes(*nn::make_model(config.model, config.model_options), config);
  const bool trains = args.ensemble.empty() && (!args.sanity || args.then_train);
  if (trains) check_run_before_data(args, config, ranks);
  check_data_folder(args);
  if (trains && rank == 0) prepare_output_folders(args);

  std::FILE* text = args.json ? stderr : stdout;  // with --json, stdout carries only the JSON
  const TrainData data = load_data(args);
  if (rank > 0) return run_training_quietly(config, data);
  const nn::data::Normalization norm = nn::data::compute_normalization(data.train);  // as the trainer computes it
  if (!args.ensemble.empty()) return run_ensemble(args, data, norm, text);
  std::optional<SanityResults> sanity;
  if (args.sanity) {
    sanity = run_sanity(config, data, norm, text);
    if (!args.then_train) {
      if (args.json) fmt::print("{}\n", nlohmann::json{{"sanity", to_json(*sanity)}}.dump(2));
      return sanity->passed() ? 0 : 1;
    }
    if (!sanity->passed()) fmt::print(text, "a sanity check failed; training anyway (--then-train)\n");
  }
  return run_training(args, config, data, norm, sanity, text, ranks);
}

}  // namespace

void add_train_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* cmd = app.add_subcommand("train", "Train a classifier on Fashion-MNIST");
  cmd->add_option("--model", args->model, "A registered model (--list-models): mlp, cnn, mlp5x100 or a plug-in's")
      ->capture_default_str();
  cli::add_ranged_option(*cmd, "--width", args->width, kWidth,
                         "For the models that read it (the cnn: multiplies its channels (32, 64) and hidden units (128))");
  cli::add_ranged_option(*cmd, "--epochs", args->epochs, cli::kEpochs, "Epochs (default: cnn 12, other models 30)");
  cli::add_ranged_option(*cmd, "--batch-size", args->batch_size, cli::kBatchSize, "Batch size");
  cmd->add_option("--optimizer", args->optimizer, "A registered optimizer (--list-optimizers); adamw defaults to weight_decay=0.05 here")->capture_default_str();
  cmd->add_option("--opt", args->optimizer_options, "Optimizer option key=value (repeatable), e.g. --opt beta2=0.99");
  cli::add_ranged_option(*cmd, "--lr", args->lr, cli::kPositive, "Learning rate (the same as --opt lr=...)");
  cmd->add_option("--schedule", args->schedule,
                  "Schedule (docs/schedules.md): none, step, exponential, inverse_time, cosine or plateau, with "
                  "key=value parameters, a warmup and a momentum annealing joined by '+', e.g. "
                  "'warmup:steps=500+cosine:restarts=1,period_mult=2' or 'step:step_size=3,gamma=0.5'")
      ->capture_default_str();
  cli::add_ranged_option(*cmd, "--dropout", args->dropout, cli::kBelowOne, "Dropout probability (default: cnn 0.5, other models 0.2, or 0 for one without dropout)");
  cmd->add_flag("--augment", args->augment, "Augment: horizontal flip, random crop (pad 2), brightness/contrast jitter");
  cli::add_ranged_option(*cmd, "--flip", args->flip, cli::kFraction, "Horizontal flip probability (overrides --augment's 0.5)");
  cli::add_ranged_option(*cmd, "--crop-padding", args->crop_padding, kCropPadding,
                         "Random crop padding in pixels (overrides --augment's 2); at most half the 28-pixel side, "
                         "so a crop keeps at least half the image in each direction");
  cli::add_ranged_option(*cmd, "--jitter", args->jitter, cli::kFraction,
                         "Brightness/contrast jitter strength (overrides --augment's 0.1)");
  cmd->add_flag("--tta-flip", args->tta_flip,
                "Test-time flip averaging: validation, test and --ensemble predict with the mean softmax of each "
                "image and its mirror");
  cli::add_ranged_option(*cmd, "--label-smoothing", args->label_smoothing, cli::kBelowOne,
                         "Label smoothing of the training loss");
  cli::add_ranged_option(*cmd, "--validation", args->validation_size, cli::kValidation,
                         "Validation samples held out of the training file");
  cli::add_ranged_option(*cmd, "--train-limit", args->train_limit, cli::kTrainLimit,
                         "Train on the first N training samples only (0: all)");
  cli::add_ranged_option(*cmd, "--seed", args->seed, cli::kAnySeed,
                         "Seed for initialization, shuffling, dropout and augmentation");
  cli::add_ranged_option(*cmd, "--threads", args->threads, cli::kThreads,
                         "Threads (0: OMP_NUM_THREADS, else every CPU, fewer while other processes keep CPUs busy)");
  cmd->add_option("--data", args->data_dir, "Fashion-MNIST folder (default: $TAPEGRAD_FASHION_MNIST_DIR or "
                                            "/usr/share/datasets/fashion-mnist)");
  cmd->add_option("--checkpoint-dir", args->checkpoint_dir, "Where the best checkpoint is saved (\"\": nowhere)")
      ->capture_default_str();
  cmd->add_option("--resume", args->resume,
                  "Continue the run whose run state this is (<checkpoint-dir>/<model>-run.safetensors, saved after "
                  "every epoch) with the same options; --epochs may be raised to train further");
  cmd->add_option("--init-from", args->init_from,
                  "Start from this checkpoint's weights (tensors of the same name and shape; the others, e.g. a "
                  "replaced last layer, keep their initialization)");
  cmd->add_option("--freeze", args->freeze, "Do not train the parameters whose name starts with PREFIX (repeatable), "
                                            "e.g. --freeze 1. --freeze 3.");
  cmd->add_option("--lr-for", args->lr_for, "PREFIX=VALUE: train the parameters whose name starts with PREFIX at "
                                            "this learning rate (repeatable), e.g. --lr-for 5.=1e-4");
  cli::add_ranged_option(*cmd, "--keep-checkpoints", args->keep_checkpoints, kKeepCheckpoints,
                         "How many per-improvement checkpoints (<model>-epochNN-val0.XXXX) to keep; older ones are "
                         "deleted (0: all)");
  cmd->add_flag("--json", args->json, "Print one JSON object with the results to stdout");
  cmd->add_option("--plugin", args->plugins, "A shared module that registers optimizers and/or models (repeatable)");
  cmd->add_flag("--list-optimizers", args->list_optimizers, "List the registered optimizers and their options");
  cmd->add_flag("--list-models", args->list_models, "List the registered models and the options they read");
  cmd->add_flag("--sanity", args->sanity,
                "Run the sanity checks (loss at chance, regularization raises the loss, overfit 20 examples) "
                "and exit: 0 when all pass, 1 otherwise");
  cmd->add_flag("--then-train", args->then_train, "With --sanity: train after the checks");
  cmd->add_option("--report", args->report,
                  "HTML report with the loss, accuracies, update ratios, histograms and first-layer weights "
                  "(default: <checkpoint-dir>/<model>-report.html; \"\": none, and no monitoring)");
  cli::add_ranged_option(*cmd, "--ratio-every", args->ratio_every, cli::kSteps, "Steps between update/weight ratio samples");
  cli::add_ranged_option(*cmd, "--profile", args->profile_steps, cli::kSteps,
                         "Time N training steps after the first 10 (tg::Profiler) and print where the time goes: "
                         "ms per step per op forward and backward, layout copies, the optimizer, data loading");
  cmd->add_flag("--average", args->average,
                "Also keep an exponential moving average of the parameters (0.995) and evaluate with it");
  cmd->add_option("--ensemble", args->ensemble,
                  "Evaluate the average prediction of these checkpoints on the test set (comma-separated; "
                  "quoted patterns such as 'ckpt/*-epoch*.safetensors' are expanded); no training")
      ->delimiter(',');
  cli::add_ranged_option(*cmd, "--gradcheck-every", args->gradcheck_every, cli::kSteps,
                         "Gradcheck (f64) the loss with respect to the parameters at step N and every N steps after");
  cmd->add_flag("--distributed", args->distributed,
                "Data-parallel training across the ranks of an MPI job: mpirun -np N tapegrad train --distributed "
                "...; --batch-size is per rank, rank 0 prints and saves (docs/distributed.md)");
  cmd->add_flag("--sync-bn", args->sync_bn,
                "With --distributed: BatchNorm normalizes with the statistics of the global batch (all-reduced), "
                "not each rank's share");
  cli::add_ranged_option(*cmd, "--dist-timeout", args->dist_timeout, kDistTimeout,
                         "With --distributed: seconds a rank waits for the others in a collective before it stops "
                         "with an error (a rank died or hangs; 0: no limit)");
  cmd->callback([args, cmd, &exit_code] {
    args->gradcheck_every_given = cmd->count("--gradcheck-every") > 0;
    args->ensemble = cli::expand_file_patterns("train: --ensemble", args->ensemble);
    exit_code = run_train(*args);
  });
}

}  // namespace tg::apps
