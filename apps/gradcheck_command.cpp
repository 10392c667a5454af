// `tapegrad gradcheck`: sweeps the op table (gradcheck in f64, f32 against f64) and
// prints one row per op, or JSON with --json.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <tapegrad/train/op_sweep_report.hpp>

#include "cli/ranged_option.hpp"
#include "commands.hpp"

namespace tg::apps {

using namespace tg::train;

namespace {

struct GradcheckCommandOptions {
  std::vector<std::string> ops;  // empty: the whole table
  OpSweepOptions sweep;
  bool json = false;
  bool verbose = false;
};

// A centered difference in f64 loses digits to rounding below about 1e-12 and measures a
// secant, not a derivative, above 0.1 (and leaves the domain of ops like sqrt and log).
constexpr cli::RealRange kEps{1e-12, 0.1};
// A relative difference: 1 already accepts any f32 result of the right magnitude.
constexpr cli::RealRange kF32Tolerance{0, 1, true, false};

void print_failures(std::FILE* out, const OpSweepResult& r) {
  for (const auto& f : r.failures) fmt::print(out, "\n== {} on {}: {}\n", r.name, f.label, f.what);
}

int run_gradcheck(const GradcheckCommandOptions& options) {
  const auto entries = select_ops(options.ops);
  std::vector<OpSweepResult> results;
  for (const OpTableEntry* entry : entries) {
    results.push_back(sweep_op(*entry, options.sweep));
    // With --json, stdout carries only the JSON document.
    if (options.verbose) print_failures(options.json ? stderr : stdout, results.back());
  }

  if (options.json) {
    nlohmann::ordered_json array = nlohmann::ordered_json::array();
    for (const auto& r : results) array.push_back(to_json(r));
    fmt::print("{}\n", array.dump(2));
  } else {
    if (options.verbose && std::any_of(results.begin(), results.end(), [](const auto& r) { return !r.failures.empty(); }))
      fmt::print("\n");
    fmt::print("{}\n{}\n", op_sweep_table(results, options.sweep.gradgrad), op_sweep_summary(results));
  }
  return any_wrong(results) ? 1 : 0;
}

}  // namespace

void add_gradcheck_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<GradcheckCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "gradcheck", "Check every op's gradient in f64 against finite differences, and its f32 result against f64");
  cmd->add_option("--op", options->ops, "Check only this op (repeatable; default: the whole op table)");
  cli::add_ranged_option(*cmd, "--seed", options->sweep.seed, cli::kAnySeed,
                         "Seed of the sample inputs and of gradcheck's coordinate subsets");
  cli::add_ranged_option(*cmd, "--eps", options->sweep.eps, kEps, "Step h of the centered difference");
  cli::add_ranged_option(*cmd, "--f32-tolerance", options->sweep.f32_tolerance, kF32Tolerance,
                         "Largest max |f32 - f64| / (1 + |f64|) accepted as agreement (default: each op's own, "
                         "1e-5 for most, 1e-4 for ops that sum thousands of terms)")
      ->default_str("");
  cmd->add_flag("--gradgrad", options->sweep.gradgrad, "Also check second derivatives (gradgradcheck)");
  cmd->add_flag("--json", options->json, "Print the results as a JSON array, one object per op");
  cmd->add_flag("--verbose,-v", options->verbose, "Print the report of every failing sample");
  cmd->callback([options, &exit_code] { exit_code = run_gradcheck(*options); });
}

}  // namespace tg::apps
