// tapegrad search's master: the results file (JSON lines, resume, a different search,
// a line cut by a crash), the runner with a fake trial (no training), ranking, and the
// worker protocol.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include <tapegrad/error.hpp>

#include <tapegrad/train/search/results.hpp>
#include <tapegrad/train/search/runner.hpp>
#include <tapegrad/train/search/workers.hpp>
#include "temp_dir.hpp"

using namespace tg::train::search;

namespace {

// Validation accuracy peaks at lr = 1e-3: 0.9 - |log10(lr) + 3| / 10.
TrialResult fake_result(const TrialSpec& spec) {
  const double accuracy = 0.9 - std::abs(std::log10(spec.values.at("lr")) + 3) / 10;
  return {spec, accuracy, 1 - accuracy, 0.5, ""};
}

struct CountingTrial {
  std::vector<TrialSpec> ran{};
  TrialFunction function() {
    return [this](const TrialSpec& spec) {
      ran.push_back(spec);
      return fake_result(spec);
    };
  }
};

SearchPlan lr_plan(std::vector<StagePlan> stages, std::uint64_t seed = 1) {
  return {{{{"lr", 1e-5, 1e-1, Scale::log}}}, seed, std::move(stages), 0};
}

const nlohmann::json kHeader = {{"model", "fake"}, {"seed", 1}};

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

SearchSummary run_fake(const SearchPlan& plan, const std::string& path, CountingTrial& trial,
                       const nlohmann::json& header = kHeader) {
  ResultsFile results(path, header, false);
  InProcessExecutor executor(trial.function());
  return run_search(plan, results, executor);
}

}  // namespace

TEST_CASE("search results: a trial result survives its JSON line exactly") {
  TrialResult result;
  result.spec = {2, 7, {{"dropout", 0.1}, {"lr", 0.0012345678901234567}}, 3, 1000};
  result.validation_accuracy = 0.8125;
  result.validation_loss = 0.4321;
  result.seconds = 12.5;
  result.checkpoint = "ckpt/val0.8125-stage2-trial07.safetensors";
  const TrialResult back = trial_result_from_json(nlohmann::json::parse(to_json(result).dump()));
  CHECK(back.spec == result.spec);
  CHECK(back.validation_accuracy == result.validation_accuracy);
  CHECK(back.validation_loss == result.validation_loss);
  CHECK(back.seconds == result.seconds);
  CHECK(back.checkpoint == result.checkpoint);
}

TEST_CASE("search resume: with 2 of 4 trials in the results file, the runner runs only trials 2 and 3") {
  TempDir dir;
  const std::string path = dir.file("search.jsonl");
  CountingTrial first;
  const SearchSummary two = run_fake(lr_plan({{2, 1, 0}}), path, first);
  CHECK(first.ran.size() == 2);
  CHECK(two.ran == 2);
  CHECK(read_lines(path).size() == 3);  // the search's line and one per trial

  CountingTrial second;
  const SearchSummary four = run_fake(lr_plan({{4, 1, 0}}), path, second);
  REQUIRE(second.ran.size() == 2);
  CHECK(second.ran[0].trial == 2);
  CHECK(second.ran[1].trial == 3);
  CHECK(four.ran == 2);
  CHECK(four.reused == 2);
  CHECK(four.ranked.size() == 4);
  CHECK(read_lines(path).size() == 5);

  CountingTrial third;
  const SearchSummary again = run_fake(lr_plan({{4, 1, 0}}), path, third);
  CHECK(third.ran.empty());
  CHECK(again.reused == 4);
  for (std::size_t i = 0; i < 4; ++i) CHECK(again.ranked[i].spec == four.ranked[i].spec);

  // More epochs make other trials: nothing is reused.
  CountingTrial longer;
  run_fake(lr_plan({{4, 2, 0}}), path, longer);
  CHECK(longer.ran.size() == 4);
}

TEST_CASE("search runner: stage 2 samples around stage 1's best, and a resumed search samples the same") {
  TempDir dir;
  const std::string path = dir.file("search.jsonl");
  const SearchPlan plan = lr_plan({{8, 1, 0}, {4, 2, 500}});
  CountingTrial trial;
  const SearchSummary summary = run_fake(plan, path, trial);
  REQUIRE(summary.stages.size() == 2);
  CHECK(trial.ran.size() == 12);

  // Stage 1 keeps its best max(2, 8/4) = 2 and stage 2's range is narrowed around them.
  const StageSummary& first = summary.stages[0];
  const StageSummary& second = summary.stages[1];
  const SearchSpace expected = narrow(plan.space, {first.ranked[0].spec.values, first.ranked[1].spec.values});
  CHECK(second.space.at("lr").low == expected.at("lr").low);
  CHECK(second.space.at("lr").high == expected.at("lr").high);
  for (const TrialResult& r : second.ranked) {
    CHECK(r.spec.epochs == 2);
    CHECK(r.spec.train_limit == 500);
    CHECK(r.spec.values.at("lr") >= second.space.at("lr").low);
    CHECK(r.spec.values.at("lr") <= second.space.at("lr").high);
  }
  // Ranked best first over both stages.
  for (std::size_t i = 1; i < summary.ranked.size(); ++i)
    CHECK(summary.ranked[i - 1].validation_accuracy >= summary.ranked[i].validation_accuracy);

  CountingTrial resumed;
  run_fake(plan, path, resumed);
  CHECK(resumed.ran.empty());
}

TEST_CASE("search runner: the best value at a border of the original range is warned about") {
  TempDir dir;
  // The fake peaks at lr = 1e-3, which is the upper border of [1e-6, 1e-3].
  const SearchPlan plan{{{{"lr", 1e-6, 1e-3, Scale::log}}}, 1, {{16, 1, 0}}, 0};
  CountingTrial trial;
  const SearchSummary summary = run_fake(plan, dir.file("search.jsonl"), trial);
  REQUIRE(summary.warnings.size() == 1);
  CHECK(summary.warnings[0].upper);
  CHECK(summary.stages[0].warnings.size() == 1);
}

TEST_CASE("search results: a file from another search is an error naming what differs, --fresh starts over") {
  TempDir dir;
  const std::string path = dir.file("search.jsonl");
  CountingTrial trial;
  run_fake(lr_plan({{2, 1, 0}}), path, trial);
  const nlohmann::json other = {{"model", "fake"}, {"seed", 2}};
  CHECK_THROWS_WITH_AS(ResultsFile(path, other, false),
                       doctest::Contains("is from a different search (seed is 1 in the file, 2 here); use --fresh to "
                                         "start over or another --results file"),
                       tg::Error);
  const ResultsFile fresh(path, other, true);
  CHECK(fresh.finished().empty());
  CHECK(read_lines(path).size() == 1);

  std::ofstream(dir.file("notes.txt")) << "{\"x\": 1}\n";
  CHECK_THROWS_WITH_AS(ResultsFile(dir.file("notes.txt"), kHeader, false),
                       doctest::Contains("is not a tapegrad search results file"), tg::Error);
}

TEST_CASE("search results: a last line cut short by a crash is dropped, a bad line before it is an error") {
  TempDir dir;
  const std::string path = dir.file("search.jsonl");
  CountingTrial trial;
  run_fake(lr_plan({{2, 1, 0}}), path, trial);
  const std::vector<std::string> lines = read_lines(path);
  std::ofstream(path, std::ios::app) << lines[2].substr(0, 20);  // a third trial, half written

  ResultsFile results(path, kHeader, false);
  CHECK(results.finished().size() == 2);
  CHECK(read_lines(path) == lines);  // the cut line is gone, so the next append starts a line of its own
  results.append(fake_result({1, 2, {{"lr", 1e-3}}, 1, 0}));
  CHECK(ResultsFile(path, kHeader, false).finished().size() == 3);

  std::ofstream(path, std::ios::trunc) << lines[0] << "\nnot json\n" << lines[1] << "\n";
  CHECK_THROWS_WITH_AS(ResultsFile(path, kHeader, false),
                       doctest::Contains(("line 2 of the results file '" + path + "' is not a trial result").c_str()), tg::Error);
}

TEST_CASE("search ranking: higher validation accuracy first, then lower loss") {
  const auto result = [](int trial, double accuracy, double loss) {
    return TrialResult{{1, trial, {}, 1, 0}, accuracy, loss, 0, ""};
  };
  const auto ranked = rank({result(0, 0.80, 0.5), result(1, 0.85, 0.6), result(2, 0.85, 0.4), result(3, 0.10, 2.3)});
  CHECK(ranked[0].spec.trial == 2);
  CHECK(ranked[1].spec.trial == 1);
  CHECK(ranked[2].spec.trial == 0);
  CHECK(ranked[3].spec.trial == 3);
}

TEST_CASE("search worker protocol: a setup line, then one result line per trial line, a failure is an error line") {
  std::stringstream in, out;
  const TrialSpec a{1, 0, {{"lr", 1e-3}}, 1, 0}, b{1, 1, {{"lr", -1.0}}, 1, 0};
  in << nlohmann::json{{"setup", {{"scale", 2}}}}.dump() << "\n"
     << nlohmann::json{{"trial", to_json(a)}}.dump() << "\n"
     << nlohmann::json{{"trial", to_json(b)}}.dump() << "\n";
  int setups = 0;
  const int code = serve_trials(in, out, [&](const nlohmann::json& setup) -> TrialFunction {
    ++setups;
    CHECK(setup.at("scale") == 2);
    return [](const TrialSpec& spec) {
      TG_CHECK(spec.values.at("lr") > 0, "fake: lr must be positive, got {}", spec.values.at("lr"));
      return fake_result(spec);
    };
  });
  CHECK(code == 2);
  CHECK(setups == 1);
  std::string line;
  REQUIRE(std::getline(out, line));
  const TrialResult first = trial_result_from_json(nlohmann::json::parse(line).at("result"));
  CHECK(first.spec == a);
  CHECK(first.validation_accuracy == doctest::Approx(0.9));
  REQUIRE(std::getline(out, line));
  CHECK(nlohmann::json::parse(line).at("error") == "fake: lr must be positive, got -1");
  CHECK_FALSE(std::getline(out, line));
}
