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

#include <tapegrad/ops/op_sweep.hpp>

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

std::vector<const OpTableEntry*> selected_entries(const std::vector<std::string>& names) {
  std::vector<const OpTableEntry*> entries;
  if (names.empty()) {
    for (const auto& entry : op_table()) entries.push_back(&entry);
    return entries;
  }
  for (const auto& name : names) {
    const OpTableEntry* entry = &find_op(name);  // throws, listing the valid names
    if (std::find(entries.begin(), entries.end(), entry) == entries.end()) entries.push_back(entry);
  }
  return entries;
}

std::string format_error(double e) { return std::isfinite(e) ? fmt::format("{:.2e}", e) : "inf"; }

// Prints rows under headers, each column as wide as its widest cell; columns flagged
// in right_aligned hold numbers.
void print_table(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows,
                 const std::vector<bool>& right_aligned) {
  std::vector<std::size_t> width(headers.size());
  for (std::size_t c = 0; c < headers.size(); ++c) {
    width[c] = headers[c].size();
    for (const auto& row : rows) width[c] = std::max(width[c], row[c].size());
  }
  const auto print_row = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      if (c > 0) line += "  ";
      line += right_aligned[c] ? fmt::format("{:>{}}", cells[c], width[c]) : fmt::format("{:<{}}", cells[c], width[c]);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    fmt::print("{}\n", line);
  };
  print_row(headers);
  for (const auto& row : rows) print_row(row);
}

void print_results_table(const std::vector<OpSweepResult>& results, bool gradgrad) {
  std::vector<std::string> headers = {"op", "samples", "verdict", "max rel err"};
  std::vector<bool> right = {false, true, false, true};
  if (gradgrad) {
    headers.insert(headers.end(), {"gradgrad", "gradgrad err"});
    right.insert(right.end(), {false, true});
  }
  headers.insert(headers.end(), {"f32 diff", "f32", "ms"});
  right.insert(right.end(), {true, false, true});

  std::vector<std::vector<std::string>> rows;
  for (const auto& r : results) {
    std::vector<std::string> row = {r.name, std::to_string(r.samples),
                                    r.errors.empty() ? std::string(verdict_name(r.verdict)) : "error",
                                    format_error(r.max_rel_error)};
    if (gradgrad) {
      row.push_back(r.gradgrad_run ? std::string(verdict_name(r.gradgrad_verdict)) : "-");
      row.push_back(r.gradgrad_run ? format_error(r.gradgrad_max_rel_error) : "-");
    }
    row.insert(row.end(), {format_error(r.f32_max_diff), r.f32_ok ? "ok" : "DIFFERS", fmt::format("{:.1f}", r.ms)});
    rows.push_back(std::move(row));
  }
  print_table(headers, rows, right);
}

std::string ops_count(std::size_t n) { return fmt::format("{} op{}", n, n == 1 ? "" : "s"); }

std::string summary_line(const std::vector<OpSweepResult>& results) {
  std::vector<std::string> wrong, suspicious;
  for (const auto& r : results) {
    if (r.wrong()) {
      std::vector<std::string> why;
      if (!r.errors.empty()) why.push_back("threw");
      if (r.verdict >= Verdict::wrong) why.push_back("gradient");
      if (r.gradgrad_run && r.gradgrad_verdict >= Verdict::wrong) why.push_back("second derivative");
      if (!r.f32_ok) why.push_back("f32 differs");
      wrong.push_back(fmt::format("{} ({})", r.name, fmt::join(why, ", ")));
    } else if (r.suspicious()) {
      suspicious.push_back(r.name);
    }
  }
  if (!wrong.empty())
    return fmt::format("{} of {} wrong: {}", wrong.size(), ops_count(results.size()), fmt::join(wrong, "; "));
  if (!suspicious.empty())
    return fmt::format("{}, none wrong; suspicious: {}", ops_count(results.size()), fmt::join(suspicious, ", "));
  return fmt::format("{}, all good", ops_count(results.size()));
}

nlohmann::ordered_json to_json(const OpSweepResult& r) {
  // Infinite differences (a result of the wrong shape or dtype, or NaN) become null.
  const auto number = [](double x) {
    return std::isfinite(x) ? nlohmann::ordered_json(x) : nlohmann::ordered_json(nullptr);
  };
  nlohmann::ordered_json j = {{"name", r.name},
                      {"samples", r.samples},
                      {"verdict", verdict_name(r.verdict)},
                      {"max_rel_error", number(r.max_rel_error)},
                      {"f32_samples", r.f32_samples},
                      {"f32_max_diff", number(r.f32_max_diff)},
                      {"f32_ok", r.f32_ok},
                      {"ms", r.ms},
                      {"wrong", r.wrong()}};
  if (r.gradgrad_run) {
    j["gradgrad_verdict"] = verdict_name(r.gradgrad_verdict);
    j["gradgrad_max_rel_error"] = number(r.gradgrad_max_rel_error);
  }
  if (!r.errors.empty()) j["errors"] = r.errors;
  return j;
}

void print_failures(std::FILE* out, const OpSweepResult& r) {
  for (const auto& f : r.failures) fmt::print(out, "\n== {} on {}: {}\n", r.name, f.label, f.what);
}

int run_gradcheck(const GradcheckCommandOptions& options) {
  const auto entries = selected_entries(options.ops);
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
    print_results_table(results, options.sweep.gradgrad);
    fmt::print("\n{}\n", summary_line(results));
  }
  return std::any_of(results.begin(), results.end(), [](const auto& r) { return r.wrong(); }) ? 1 : 0;
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
