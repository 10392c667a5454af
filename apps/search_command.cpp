// `tapegrad search`: random hyperparameter search, coarse to fine (CS231n lecture 6).
#include <unistd.h>

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <tapegrad/error.hpp>
#include <tapegrad/parallel.hpp>
#include <tapegrad/train/distributed.hpp>
#include <tapegrad/train/models.hpp>

#include <tapegrad/train/output_folder.hpp>
#include <tapegrad/train/plugins.hpp>
#include "cli/ranged_option.hpp"
#include "commands.hpp"
#include <tapegrad/train/search/mpi_search.hpp>
#include <tapegrad/train/search/runner.hpp>
#include <tapegrad/train/search/search_report.hpp>
#include <tapegrad/train/search/table.hpp>
#include <tapegrad/train/search/training_trial.hpp>
#include <tapegrad/train/search/trial_time_limit.hpp>
#include <tapegrad/train/search/workers.hpp>

namespace tg::apps {

using namespace tg::train;

namespace {

using namespace tg::train::search;

struct SearchArgs {
  std::string model = "mlp";
  std::string optimizer = "adamw";
  std::vector<std::string> optimizer_options;
  std::vector<std::string> ranges;
  std::optional<int> stages;
  std::vector<int> trials, epochs_per_stage;
  std::vector<std::int64_t> train_limits;
  int keep = 0;
  int workers = 1;
  int threads = 0;
  double trial_timeout = 0;  // seconds; 0: automatic (trial_time_limit.hpp)
  std::int64_t batch_size = 64;
  std::int64_t validation_size = 5000;
  std::uint64_t seed = 0;
  std::string data_dir;
  std::string results = "search.jsonl";
  bool fresh = false;
  std::string checkpoint_dir = "search-checkpoints";
  std::optional<std::string> report;  // unset: next to the results file; "": none
  bool json = false;
  bool worker = false;
  bool mpi = false;
  double mpi_timeout = 30;  // seconds (trial_dispatcher.hpp)
  bool workers_given = false, trial_timeout_given = false, mpi_timeout_given = false;
  std::vector<std::string> plugins;
};

// Coarse to fine: many short runs on a slice of the data, then fewer, longer ones on all of it.
StagePlan default_stage(int stage) {
  return stage == 1 ? StagePlan{8, 1, 10000} : StagePlan{4, 3, 0};
}

// A per-stage list option: empty (the defaults), one value (every stage) or one per stage.
template <class T>
T value_for_stage(const std::vector<T>& values, int stage, T fallback) {
  if (values.empty()) return fallback;
  return values.size() == 1 ? values.front() : values[static_cast<std::size_t>(stage - 1)];
}

SearchPlan make_plan(const SearchArgs& a) {
  const std::size_t longest = std::max({a.trials.size(), a.epochs_per_stage.size(), a.train_limits.size()});
  const int stages = a.stages.value_or(longest > 1 ? static_cast<int>(longest) : 2);
  TG_CHECK(stages >= 1, "search: --stages must be at least 1, got {}", stages);
  const auto check_length = [&](const char* option, std::size_t size) {
    TG_CHECK(size <= 1 || size == static_cast<std::size_t>(stages),
             "search: {} has {} values but there are {} stages (--stages); give one value, or one per stage", option,
             size, stages);
  };
  check_length("--trials", a.trials.size());
  check_length("--epochs", a.epochs_per_stage.size());
  check_length("--train-limit", a.train_limits.size());

  SearchPlan plan;
  plan.space = parse_space(a.ranges);
  plan.seed = a.seed;
  plan.keep = a.keep;
  for (int stage = 1; stage <= stages; ++stage) {
    const StagePlan fallback = default_stage(stage);
    plan.stages.push_back({value_for_stage(a.trials, stage, fallback.trials),
                           value_for_stage(a.epochs_per_stage, stage, static_cast<int>(fallback.epochs)),
                           value_for_stage(a.train_limits, stage, fallback.train_limit)});
  }
  plan.validate();
  return plan;
}

TrialSettings make_settings(const SearchArgs& a) {
  TrialSettings s;
  s.model = a.model;
  s.optimizer = a.optimizer;
  s.optimizer_options = optim::parse_options(a.optimizer_options);
  s.batch_size = a.batch_size;
  s.validation_size = a.validation_size;
  s.seed = a.seed;
  s.data_dir = a.data_dir;
  s.checkpoint_dir = a.checkpoint_dir;
  return s;
}

// A worker's trial function, from the master's setup message. The checkpoint folder is
// prepared here too: an MPI worker rank may be on another machine than the master.
TrialFunction make_training_trial(const nlohmann::json& setup) {
  set_num_threads(setup.at("threads").get<int>());
  const TrialSettings settings = trial_settings_from_json(setup.at("settings"));
  if (!settings.checkpoint_dir.empty()) train::prepare_output_folder("search: --checkpoint-dir", settings.checkpoint_dir);
  return TrainingTrial(settings);
}

int run_worker() { return serve_trials(std::cin, std::cout, make_training_trial); }

// On a terminal, a bar of the stage's trials under the per-trial lines (on stderr).
class TrialBar {
 public:
  explicit TrialBar(std::FILE* out) : out_(out), terminal_(::isatty(::fileno(out)) != 0) {}
  void draw(int stage, std::int64_t done, std::int64_t total) {
    if (!terminal_) return;
    constexpr std::int64_t kWidth = 30;
    const std::int64_t filled = total > 0 ? kWidth * done / total : kWidth;
    fmt::print(out_, "\r  stage {} [{}{}] {}/{} trials", stage, std::string(static_cast<std::size_t>(filled), '#'),
               std::string(static_cast<std::size_t>(kWidth - filled), '.'), done, total);
    std::fflush(out_);
    shown_ = true;
  }
  void clear() {
    if (!shown_) return;
    fmt::print(out_, "\r\033[K");
    std::fflush(out_);
    shown_ = false;
  }

 private:
  std::FILE* out_;
  bool terminal_;
  bool shown_ = false;
};

// "1 trial", "3 trials".
template <class Integer>
std::string count(Integer n, const char* noun) {
  return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s");
}

void print_warnings(std::FILE* out, const std::string& where, const std::vector<BorderWarning>& warnings) {
  for (const BorderWarning& w : warnings) fmt::print(out, "warning: {}{}\n", where, w.message);
}

// Like train's and bench's, the report is written unless --report "": by default next to
// the results file, "search.jsonl" -> "search-report.html".
std::string report_path(const SearchArgs& args) {
  if (args.report) return *args.report;
  std::filesystem::path path(args.results);
  return path.replace_filename(path.stem().string() + "-report.html").string();
}

// Before the first trial: a search whose results cannot be written should not start.
void prepare_output_folders(const SearchArgs& args) {
  train::prepare_folder_of(fmt::format("search: --results '{}'", args.results), args.results);
  if (!args.checkpoint_dir.empty()) train::prepare_output_folder("search: --checkpoint-dir", args.checkpoint_dir);
  if (const std::string report = report_path(args); !report.empty())
    train::prepare_folder_of(fmt::format("search: --report '{}'", report), report);
}

// The worker processes run this executable with the master's --plugin options, so that
// they know the plug-ins' models and optimizers too (loaded before the first trial).
std::vector<std::string> worker_arguments(const SearchArgs& args) {
  std::vector<std::string> arguments{"search", "--worker"};
  for (const std::string& plugin : args.plugins) arguments.insert(arguments.end(), {"--plugin", plugin});
  return arguments;
}

// Threads per worker rank unless --threads: the cores of rank 0's machine shared by the
// ranks mpirun started on it (Open MPI's OMPI_COMM_WORLD_LOCAL_SIZE).
int threads_per_rank() {
  const char* local = std::getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
  const int ranks_here = local != nullptr ? std::max(1, std::atoi(local)) : 1;
  return std::max(1, get_num_threads() / ranks_here);
}

// The search's master: this process alone, the master of --workers, or rank 0 of --mpi
// (mpi: the job; null otherwise).
int run_master(const SearchArgs& args, const MpiSession* mpi) {
  for (const std::string& plugin : args.plugins) fmt::print(stderr, "{}\n", describe(load_plugin(plugin)));
  const auto start = std::chrono::steady_clock::now();
  TG_CHECK(args.workers >= 1, "search: --workers must be at least 1, got {}", args.workers);
  TG_CHECK(args.threads >= 0, "search: --threads must be 0 (automatic) or positive, got {}", args.threads);
  const TrialTimeLimit time_limit{args.trial_timeout};
  time_limit.validate();
  const SearchPlan plan = make_plan(args);
  const TrialSettings settings = make_settings(args);
  settings.validate(plan.space);

  prepare_output_folders(args);

  std::FILE* text = args.json ? stderr : stdout;  // with --json, stdout carries only the JSON
  ResultsFile results(args.results, search_identity(settings, plan.space), args.fresh);
  for (const std::string& warning : results.warnings()) fmt::print(stderr, "warning: search: {}\n", warning);
  const int threads = args.threads > 0 ? args.threads
                      : mpi != nullptr ? threads_per_rank()
                                       : std::max(1, get_num_threads() / args.workers);
  fmt::print(text, "tapegrad search: {} with {} on Fashion-MNIST ({} validation samples), {}, {} x {}; results {} ({} in it)\n",
             settings.model, settings.optimizer, settings.validation_size, count(plan.stages.size(), "stage"),
             mpi != nullptr ? count(mpi->size() - 1, "worker rank") : count(args.workers, "worker"),
             count(threads, "thread"), results.path(),
             count(results.finished().size(), "trial"));
  std::fflush(text);

  // One worker runs in this process; more, or one with a time limit, are separate
  // processes (see workers.hpp); with --mpi, the other ranks (mpi_search.hpp).
  TrialBar bar(stderr);
  const auto warn = [&bar](const std::string& message) {
    bar.clear();
    fmt::print(stderr, "warning: {}\n", message);
  };
  std::unique_ptr<TrialExecutor> executor;
  if (mpi != nullptr) {
    const nlohmann::json setup = {{"settings", to_json(settings)}, {"threads", threads}};
    executor = std::make_unique<MpiExecutor>(setup, MpiSearchOptions::with_timeout(args.mpi_timeout), warn);
  } else if (args.workers == 1 && args.trial_timeout == 0) {
    if (args.threads > 0) set_num_threads(args.threads);
    executor = std::make_unique<InProcessExecutor>(TrainingTrial(settings));
  } else {
    const nlohmann::json setup = {{"settings", to_json(settings)}, {"threads", threads}};
    executor = std::make_unique<WorkerPool>(args.workers, setup, "/proc/self/exe", worker_arguments(args), time_limit,
                                            warn);
  }

  SearchCallbacks callbacks;
  callbacks.on_stage_start = [&](int stage, const SearchSpace& space, const StagePlan& p, std::int64_t reused) {
    std::string ranges;
    for (const Range& range : space.ranges) ranges += fmt::format("{}{}", ranges.empty() ? "" : ", ", range.display());
    fmt::print(text, "\nstage {}: {} x {} on {} training samples; {}{}\n", stage, count(p.trials, "trial"),
               count(p.epochs, "epoch"), p.train_limit > 0 ? std::to_string(p.train_limit) : "all", ranges,
               reused > 0 ? fmt::format(" ({} done already, from {})", reused, results.path()) : "");
    std::fflush(text);
    bar.draw(stage, reused, p.trials);
  };
  callbacks.on_trial = [&](const TrialResult& r, std::int64_t done, std::int64_t total) {
    bar.clear();
    fmt::print(text, "[{}/{}] {}\n", done, total, trial_line(r));
    std::fflush(text);
    bar.draw(r.spec.stage, done, total);
  };
  callbacks.on_stage_end = [&](const StageSummary& stage) {
    bar.clear();
    fmt::print(text, "stage {} ranking:\n{}", stage.stage, ranking_table(stage.ranked, plan.space, 10));
    print_warnings(text, fmt::format("stage {}: ", stage.stage), stage.warnings);
    std::fflush(text);
  };
  const SearchSummary summary = run_search(plan, results, *executor, callbacks);
  executor.reset();  // the workers exit
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const TrialResult& best = summary.ranked.front();
  fmt::print(text, "\nall stages:\n{}", ranking_table(summary.ranked, plan.space));
  print_warnings(text, "", summary.warnings);
  fmt::print(text, "best: stage {} trial {:02}, validation accuracy {:.4f}: {}{}\n", best.spec.stage, best.spec.trial,
             best.validation_accuracy, format_values(best.spec.values),
             best.checkpoint.empty() ? "" : "; checkpoint " + best.checkpoint);
  fmt::print(text, "{} run, {} taken from {}; {:.1f} s\n", count(summary.ran, "trial"), summary.reused, results.path(),
             seconds);
  if (const std::string report = report_path(args); !report.empty()) {
    search_report(summary, plan.space).save(report);
    fmt::print(text, "report: {}\n", report);
  }
  if (args.json) {
    nlohmann::json json = to_json(summary);
    json["seconds"] = seconds;
    json["results"] = results.path();
    fmt::print("{}\n", json.dump(2));
  }
  return 0;
}

// `--mpi`: rank 0 is the master, the other ranks serve trials and print only errors.
int run_distributed(const SearchArgs& args) {
  TG_CHECK(!args.workers_given, "search: --mpi and --workers do not go together: with --mpi the ranks other than 0 "
           "run the trials (mpirun -np N runs N-1 at a time)");
  TG_CHECK(!args.trial_timeout_given, "search: --trial-timeout times --workers' processes; with --mpi a rank that "
           "stays silent for --mpi-timeout seconds counts as dead instead");
  const MpiSearchOptions options = MpiSearchOptions::with_timeout(args.mpi_timeout);
  options.validate();
  const MpiSession session;
  TG_CHECK(session.size() >= 2, "search: --mpi needs at least 2 ranks (rank 0 hands out the trials, the others run "
           "them), got {}; start it with mpirun -np N, N >= 2", session.size());
  if (session.rank() > 0) {
    for (const std::string& plugin : args.plugins) load_plugin(plugin);
    return serve_trials_mpi(make_training_trial, options);
  }
  // Rank 0 that fails ends the job: the workers would otherwise finish their trials for
  // nothing and then wait out the timeout. The error first, as main would print it.
  int status = 2;
  try {
    return run_master(args, &session);
  } catch (const tg::Error& e) {
    fmt::print(stderr, "tapegrad: error: {}\n", e.what());
  } catch (const std::filesystem::filesystem_error& e) {
    fmt::print(stderr, "tapegrad: error: {}\n", e.what());
  } catch (const std::exception& e) {
    fmt::print(stderr, "tapegrad: internal error: {}\n", e.what());
    status = 3;
  }
  std::fflush(stdout);
  std::fflush(stderr);
  abort_distributed_search(status);
}

int run_search_command(const SearchArgs& args) {
  if (args.worker) {
    for (const std::string& plugin : args.plugins) load_plugin(plugin);
    return run_worker();
  }
  if (args.mpi) return run_distributed(args);
  TG_CHECK(!args.mpi_timeout_given, "search: --mpi-timeout applies to a distributed search only (--mpi)");
  return run_master(args, nullptr);
}

}  // namespace

void add_search_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<SearchArgs>();
  CLI::App* cmd = app.add_subcommand("search", "Random hyperparameter search on Fashion-MNIST, coarse to fine");
  cmd->add_option("--model", args->model,
                  "A registered model (tapegrad train --list-models): mlp, cnn, mlp5x100 or a plug-in's")
      ->capture_default_str();
  cmd->add_option("--optimizer", args->optimizer, "A registered optimizer (tapegrad train --list-optimizers)")
      ->capture_default_str();
  cmd->add_option("--opt", args->optimizer_options, "A fixed optimizer option key=value (repeatable)");
  cmd->add_option("--range", args->ranges,
                  "A searched range name=low:high[:log|linear] (repeatable); dropout or an optimizer option; "
                  "without a scale dropout is linear, others log. Default: lr=1e-5:1e-1:log "
                  "weight_decay=1e-6:1e-1:log dropout=0:0.7:linear");
  cli::add_ranged_option(*cmd, "--stages", args->stages, {1, 100},
                         "Stages, coarse to fine (default: the longest per-stage list, or 2)");
  cli::add_ranged_option(*cmd, "--trials", args->trials, {1, 100'000},
                         "Trials per stage: one value, or one per stage (default 8,4)")
      ->delimiter(',');
  cli::add_ranged_option(*cmd, "--epochs", args->epochs_per_stage, cli::kEpochs,
                         "Epochs per trial: one value, or one per stage (default 1,3)")
      ->delimiter(',');
  cli::add_ranged_option(*cmd, "--train-limit", args->train_limits, cli::kTrainLimit,
                         "Train on the first N training samples: one value, or one per stage; 0: all (default 10000,0)")
      ->delimiter(',');
  cli::add_ranged_option(*cmd, "--keep", args->keep, {0, 100'000},
                         "The best trials of a stage the next one narrows around (0: a quarter, at least 2)");
  cli::add_ranged_option(*cmd, "--workers", args->workers, {1, 256},
                         "Trials at a time; more than 1 runs them in separate processes");
  cli::add_ranged_option(*cmd, "--threads", args->threads, cli::kThreads,
                         "Threads per worker (0: all cores / workers, at least 1)");
  cli::add_ranged_option(*cmd, "--trial-timeout", args->trial_timeout, cli::RealRange{0, 1e7},
                         "Seconds a trial in a worker process may take; a worker past it is stuck: it is named, killed, "
                         "and its trial runs once more in a new worker (stuck twice: the search stops, the results file "
                         "keeps the finished trials). 0: automatic, 300 s + 0.02 s per epoch and training sample until a "
                         "trial of the stage has finished, then 10 x the slowest one, at least 300 s. With --workers 1, a "
                         "limit runs the trials in a worker process");
  cli::add_ranged_option(*cmd, "--batch-size", args->batch_size, cli::kBatchSize, "Batch size");
  cli::add_ranged_option(*cmd, "--validation", args->validation_size, cli::kValidation,
                         "Validation samples held out of the training file");
  cli::add_ranged_option(*cmd, "--seed", args->seed, cli::kAnySeed,
                         "Seed of the sampling, the split, initialization and shuffling");
  cmd->add_option("--data", args->data_dir, "Fashion-MNIST folder (default: $TAPEGRAD_FASHION_MNIST_DIR or "
                                            "/usr/share/datasets/fashion-mnist)");
  cmd->add_option("--results", args->results, "The results file (JSON lines); an interrupted search resumes from it")
      ->capture_default_str();
  cmd->add_flag("--fresh", args->fresh, "Start the results file over instead of resuming from it");
  cmd->add_option("--checkpoint-dir", args->checkpoint_dir,
                  "Where each trial's best checkpoint goes, named by its validation accuracy (\"\": nowhere)")
      ->capture_default_str();
  cmd->add_option("--report", args->report,
                  "HTML report: validation accuracy against each range, the ranking (default: next to the results "
                  "file, <results>-report.html; \"\": none)");
  cmd->add_flag("--json", args->json, "Print one JSON object with the results to stdout");
  cmd->add_option("--plugin", args->plugins,
                  "A shared module that registers optimizers and/or models (repeatable); worker processes load it too");
  cmd->add_flag("--mpi", args->mpi,
                "Run the trials on the ranks of an MPI job: mpirun -np N tapegrad search --mpi ...; rank 0 samples, "
                "hands out the trials and writes the results file, ranks 1..N-1 run them. A rank silent for "
                "--mpi-timeout counts as dead and its trial runs on another rank, which needs "
                "mpirun --enable-recovery (a plain mpirun ends the whole job when a rank dies); resume as usual. "
                "docs/distributed.md");
  cli::add_ranged_option(*cmd, "--mpi-timeout", args->mpi_timeout, cli::RealRange{0, 1e6, true, false},
                         "With --mpi: seconds of silence after which a worker rank counts as dead (its trial runs "
                         "again elsewhere), or rank 0 does (the workers stop); heartbeats every min(1 s, a fifth of it)")
      ->capture_default_str();
  cmd->add_flag("--worker", args->worker, "Internal: serve trials over stdin/stdout for a search master")
      ->group("");
  cmd->callback([args, cmd, &exit_code] {
    args->workers_given = cmd->count("--workers") > 0;
    args->trial_timeout_given = cmd->count("--trial-timeout") > 0;
    args->mpi_timeout_given = cmd->count("--mpi-timeout") > 0;
    exit_code = run_search_command(*args);
  });
}

}  // namespace tg::apps
