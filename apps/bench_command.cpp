// `tapegrad bench`: the optimizer race (CS231n lecture 7) on 2-D test functions,
// on Fashion-MNIST, and the cost of one optimizer step, with tables, JSON and a report.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <tapegrad/error.hpp>
#include <tapegrad/optim/registry.hpp>
#include <tapegrad/parallel.hpp>
#include <tapegrad/train/fashion_mnist.hpp>

#include <tapegrad/train/output_folder.hpp>
#include "cli/ranged_option.hpp"
#include "commands.hpp"
#include <tapegrad/train/plugins.hpp>
#include <tapegrad/train/progress_bar.hpp>
#include <tapegrad/train/race/bench_report.hpp>
#include <tapegrad/train/race/bench_tables.hpp>
#include <tapegrad/train/race/fashion_race.hpp>
#include <tapegrad/train/race/race.hpp>
#include <tapegrad/train/race/step_cost.hpp>
#include <tapegrad/train/race/test_functions.hpp>
#include <tapegrad/train/report/report.hpp>

namespace tg::apps {

using namespace tg::train;

namespace {

struct BenchArgs {
  std::vector<std::string> functions;
  std::vector<std::string> optimizers;
  std::vector<std::string> lrs, fashion_lrs;
  RaceSettings race{};
  LrSearch search{};
  bool fashion = false;
  FashionRaceSettings fashion_settings{};
  std::int64_t train_limit = 0;
  std::string data_dir;
  bool step_cost = false;
  StepCostSettings step_cost_settings{};
  std::string report = "bench.html";
  bool json = false;
  int threads = 0;
  std::vector<std::string> plugins;
  bool functions_given = false;
};

// The optimizers named, each checked against the registry; by default every registered
// first-order optimizer (plug-ins included), as L-BFGS and newton take no learning rate
// to race with.
std::vector<std::string> chosen_optimizers(const std::vector<std::string>& names) {
  if (!names.empty()) {
    for (const std::string& name : names) optim::find_optimizer(name);
    return names;
  }
  std::vector<std::string> first_order;
  for (const optim::OptimizerInfo& info : optim::registered())
    if (is_first_order(info.name)) first_order.push_back(info.name);
  return first_order;
}

std::vector<TestFunction> chosen_functions(const std::vector<std::string>& names) {
  if (names.empty()) return test_functions();
  std::vector<TestFunction> functions;
  for (const std::string& name : names) functions.push_back(find_test_function(name));
  return functions;
}

// "--lr adam=0.1" entries: optimizer -> lr, each optimizer one of those raced.
std::map<std::string, double> parse_lrs(const std::string& flag, const std::vector<std::string>& texts,
                                        const std::vector<std::string>& optimizers) {
  std::map<std::string, double> lrs;
  for (const std::string& text : texts) {
    const auto eq = text.find('=');
    TG_CHECK(eq != std::string::npos && eq > 0, "bench: {} expects optimizer=lr (e.g. adam=0.1), got '{}'", flag,
             text);
    const std::string name = text.substr(0, eq), value = text.substr(eq + 1);
    double lr = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), lr);
    TG_CHECK(error == std::errc{} && end == value.data() + value.size() && std::isfinite(lr) && lr > 0,
             "bench: {} {}: the lr must be a positive number, got '{}'", flag, text, value);
    TG_CHECK(std::find(optimizers.begin(), optimizers.end(), name) != optimizers.end(),
             "bench: {} {}: '{}' is not one of the optimizers raced ({})", flag, text, name,
             fmt::join(optimizers, ", "));
    TG_CHECK(!lrs.contains(name), "bench: {} gives '{}' twice", flag, name);
    lrs[name] = lr;
  }
  return lrs;
}

constexpr cli::IntRange kRaceSteps{1, 10'000'000};

struct FashionData {
  nn::data::Dataset train, test;
};

FashionData load_fashion(const BenchArgs& a) {
  const std::string dir = a.data_dir.empty() ? train::fashion_mnist_dir() : a.data_dir;
  FashionData d{train::load_fashion_mnist(dir, train::FashionMnistSplit::train), train::load_fashion_mnist(dir, train::FashionMnistSplit::test)};
  TG_CHECK(a.train_limit >= 0, "bench: --train-limit must be at least 0, got {}", a.train_limit);
  if (a.train_limit > 0 && a.train_limit < d.train.size()) {
    std::vector<std::int64_t> first(static_cast<std::size_t>(a.train_limit));
    for (std::int64_t i = 0; i < a.train_limit; ++i) first[static_cast<std::size_t>(i)] = i;
    d.train = d.train.subset(first);
  }
  return d;
}

// Prints a part's table (to the text stream) and adds the part to the JSON.
class Output {
 public:
  explicit Output(bool json) : json_(json), text_(json ? stderr : stdout) {}
  std::FILE* text() const { return text_; }
  void table(const report::Table& t) {
    fmt::print(text_, "\n{}", text_table(t));
    std::fflush(text_);
  }
  nlohmann::json& json() { return results_; }
  void finish() const {
    if (json_) fmt::print("{}\n", results_.dump(2));
  }

 private:
  bool json_;
  std::FILE* text_;
  nlohmann::json results_ = nlohmann::json::object();
};

void run_function_race(const BenchArgs& a, const std::vector<std::string>& optimizers, Output& out,
                       report::Report& report) {
  const std::vector<TestFunction> functions = chosen_functions(a.functions);
  const std::map<std::string, double> lrs = parse_lrs("--lr", a.lrs, optimizers);
  std::vector<Contestant> contestants;
  for (const std::string& name : optimizers)
    contestants.push_back({name, lrs.contains(name) ? std::optional(lrs.at(name)) : std::nullopt});

  ProgressBar bar(stderr);
  const auto total = static_cast<std::int64_t>(functions.size() * contestants.size());
  std::int64_t done = 0;
  out.json()["functions"] = nlohmann::json::array();
  for (const TestFunction& f : functions) {
    std::vector<RaceRun> runs;
    for (const Contestant& c : contestants) {
      bar.update(TaskProgress{"race", ++done, total, f.name + " " + c.optimizer});
      runs.push_back(race(f, {c}, a.race, a.search).front());
    }
    bar.clear();
    const report::Table table = function_race_table(f, runs, a.race);
    out.table(table);
    out.json()["functions"].push_back(to_json(f, runs));
    add_function_race(report, f, runs, table);
  }
}

void run_fashion_race(const BenchArgs& a, const FashionData& data, const std::vector<std::string>& optimizers,
                      Output& out, report::Report& report) {
  const std::map<std::string, double> lrs = parse_lrs("--fashion-lr", a.fashion_lrs, optimizers);
  ProgressBar bar(stderr);
  std::vector<FashionRun> runs;
  for (std::size_t k = 0; k < optimizers.size(); ++k) {
    const std::string& name = optimizers[k];
    optim::Options options = default_fashion_options(name);
    if (lrs.contains(name)) options.set("lr", lrs.at(name));
    const std::string task = fmt::format("fashion {} ({}/{})", name, k + 1, optimizers.size());
    runs.push_back(train::run_fashion_race(data.train, data.test, name, options, a.fashion_settings,
                                              [&](std::int64_t i, double loss) {
                                                bar.update(TaskProgress{task, i, a.fashion_settings.iterations,
                                                                        fmt::format("loss {:.4f}", loss)});
                                              }));
  }
  bar.clear();
  const report::Table table = fashion_race_table(runs, a.fashion_settings);
  out.table(table);
  out.json()["fashion"] = to_json(runs);
  add_fashion_race(report, runs, table);
}

void run_step_cost(const BenchArgs& a, const std::vector<std::string>& optimizers, Output& out,
                   report::Report& report) {
  ProgressBar bar(stderr);
  const auto total = static_cast<std::int64_t>(optimizers.size() * a.step_cost_settings.sizes.size());
  std::int64_t done = 0;
  const std::vector<StepCost> costs = measure_step_costs(optimizers, a.step_cost_settings, [&](const StepCost& c) {
    bar.update(TaskProgress{"step cost", ++done, total,
                            fmt::format("{} {} params: {:.0f} µs", c.optimizer, c.parameters, c.median_seconds * 1e6)});
  });
  bar.clear();
  const report::Table table = step_cost_table(costs);
  out.table(table);
  out.json()["step_cost"] = to_json(costs);
  add_step_cost(report, table);
}

int run_bench(BenchArgs a) {
  for (const std::string& plugin : a.plugins) fmt::print(stderr, "{}\n", describe(load_plugin(plugin)));
  if (a.threads > 0) set_num_threads(a.threads);
  a.fashion_settings.seed = a.race.seed;
  a.step_cost_settings.seed = a.race.seed;
  const bool functions = a.functions_given || (!a.fashion && !a.step_cost);
  // Every name and value is checked before the first long part starts.
  const std::vector<std::string> optimizers = chosen_optimizers(a.optimizers);
  if (functions) chosen_functions(a.functions);
  parse_lrs("--lr", a.lrs, optimizers);
  parse_lrs("--fashion-lr", a.fashion_lrs, optimizers);
  a.race.validate();
  a.search.validate();
  a.fashion_settings.validate();
  a.step_cost_settings.validate();
  if (a.step_cost)
    for (const std::string& name : optimizers) check_step_cost_optimizer(name);
  if (!a.report.empty()) train::prepare_folder_of(fmt::format("bench: --report '{}'", a.report), a.report);
  const FashionData data = a.fashion ? load_fashion(a) : FashionData{};

  Output out(a.json);
  fmt::print(out.text(), "tapegrad bench: {} optimizers ({}), seed {}, {}\n", optimizers.size(),
             fmt::join(optimizers, ", "), a.race.seed, describe_num_threads());
  report::Report report("tapegrad bench");
  report.paragraph(bench_intro(optimizers, a.race.seed, functions ? &a.search : nullptr));
  if (functions) run_function_race(a, optimizers, out, report);
  if (a.fashion) run_fashion_race(a, data, optimizers, out, report);
  if (a.step_cost) run_step_cost(a, optimizers, out, report);
  if (!a.report.empty()) {
    report.save(a.report);
    fmt::print(out.text(), "\nreport: {} ({} plots)\n", a.report, report.plots());
    out.json()["report"] = a.report;
  }
  out.finish();
  return 0;
}

}  // namespace

void add_bench_command(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<BenchArgs>();
  CLI::App* cmd = app.add_subcommand(
      "bench", "Race optimizers on 2-D test functions (and with --fashion on Fashion-MNIST); --step-cost times steps");
  CLI::Option* functions =
      cmd->add_option("--functions", a->functions,
                      fmt::format("Test functions, comma-separated (default: all, unless only --fashion or --step-cost "
                                  "is given): {}",
                                  fmt::join(test_function_names(), ", ")))
          ->delimiter(',');
  cmd->add_option("--optimizers", a->optimizers,
                  "Optimizers, comma-separated (default: every registered first-order optimizer, plug-ins included)")
      ->delimiter(',');
  cmd->add_option("--lr", a->lrs, "optimizer=lr for the test functions (repeatable); an optimizer without one is tuned");
  cli::add_ranged_option(*cmd, "--steps", a->race.steps, kRaceSteps, "Steps per run on a test function");
  cli::add_ranged_option(*cmd, "--tolerance", a->race.tolerance, cli::kPositive,
                         "Success when f - f_min < tolerance (the saddle: when f < -1)");
  cli::add_ranged_option(*cmd, "--tune-steps", a->search.steps, kRaceSteps, "Steps of each trial of the lr search");
  cli::add_ranged_option(*cmd, "--tune-min", a->search.min, cli::kPositive, "Smallest lr tried");
  cli::add_ranged_option(*cmd, "--tune-max", a->search.max, cli::kPositive, "Largest lr tried");
  cli::add_ranged_option(*cmd, "--tune-points", a->search.points, {1, 1000}, "Log-spaced lrs tried");
  cli::add_ranged_option(*cmd, "--saddle-lr", a->search.unbounded_lr, cli::kPositive,
                         "The lr shared by optimizers without --lr on functions unbounded below (the saddle), "
                         "instead of tuning");
  cmd->add_flag("--fashion", a->fashion, "Race on Fashion-MNIST with the network of CS231n's comparison (mlp5x100, or --model)");
  cmd->add_option("--model", a->fashion_settings.model,
                  "The model of the --fashion race: a registered model (tapegrad train --list-models)")
      ->capture_default_str();
  cli::add_ranged_option(*cmd, "--iterations", a->fashion_settings.iterations, kRaceSteps,
                         "Fashion-MNIST iterations per optimizer");
  cli::add_ranged_option(*cmd, "--batch-size", a->fashion_settings.batch_size, cli::kBatchSize,
                         "Fashion-MNIST batch size");
  cmd->add_option("--fashion-lr", a->fashion_lrs,
                  "optimizer=lr on Fashion-MNIST (repeatable; default: sgd 0.1; momentum, nesterov, adagrad 0.01; "
                  "rmsprop, adam, adamw 0.001; others their own)");
  cli::add_ranged_option(*cmd, "--train-limit", a->train_limit, cli::kTrainLimit,
                         "Fashion-MNIST: train on the first N images only (0: all)");
  cmd->add_option("--data", a->data_dir, "Fashion-MNIST folder (default: $TAPEGRAD_FASHION_MNIST_DIR or "
                                         "/usr/share/datasets/fashion-mnist)");
  cmd->add_flag("--step-cost", a->step_cost, "Time one step of each optimizer over large f32 parameters");
  cli::add_ranged_option(*cmd, "--step-cost-sizes", a->step_cost_settings.sizes, {1, 1'000'000'000},
                         "Parameter counts for --step-cost")
      ->delimiter(',');
  cli::add_ranged_option(*cmd, "--step-cost-repeats", a->step_cost_settings.repeats, {1, 100'000},
                         "Timed steps per size (the median is shown)");
  cmd->add_option("--report", a->report, "HTML report file (\"\": none)")->capture_default_str();
  cmd->add_flag("--json", a->json, "Print one JSON object with the results to stdout");
  cli::add_ranged_option(*cmd, "--seed", a->race.seed, cli::kAnySeed, "Seed for gradient noise, initialization and batches");
  cli::add_ranged_option(*cmd, "--threads", a->threads, cli::kThreads, "Threads (0: OMP_NUM_THREADS, else every CPU, fewer while other processes keep CPUs busy)");
  cmd->add_option("--plugin", a->plugins, "A shared module that registers optimizers and/or models (repeatable)");
  cmd->callback([a, functions, &exit_code] {
    a->functions_given = functions->count() > 0;
    exit_code = run_bench(*a);
  });
}

}  // namespace tg::apps
