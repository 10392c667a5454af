// A hand-edited or doubly written search results file: blank lines are ignored, a
// repeated line is dropped with a warning, two different results for one trial are an
// error naming both lines.
#include <doctest/doctest.h>

#include <fstream>

#include "check_error.hpp"
#include <tapegrad/train/search/results.hpp>
#include "temp_dir.hpp"

using namespace tg::train::search;

namespace {

const nlohmann::json kHeader = {{"model", "fake"}, {"seed", 1}};

std::string header_line() { return nlohmann::json{{"search", kHeader}}.dump(); }

TrialResult trial_result(int trial, double accuracy, double seconds = 0.5) {
  TrialResult result;
  result.spec = {1, trial, {{"lr", 0.001 * (trial + 1)}}, 1, 0};
  result.validation_accuracy = accuracy;
  result.validation_loss = 1 - accuracy;
  result.seconds = seconds;
  return result;
}

std::string trial_line(int trial, double accuracy, double seconds = 0.5) {
  return to_json(trial_result(trial, accuracy, seconds)).dump();
}

std::string file_with(const TempDir& dir, const std::string& text) {
  const std::string path = dir.file("search.jsonl");
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  return path;
}

}  // namespace

TEST_CASE("hostile search results: blank lines, a trailing one included, are ignored") {
  TempDir dir;
  const std::string path =
      file_with(dir, header_line() + "\n\n" + trial_line(0, 0.8) + "\n   \n" + trial_line(1, 0.7) + "\n\n");
  ResultsFile results(path, kHeader, false);
  REQUIRE(results.finished().size() == 2);
  CHECK(results.finished()[1].spec.trial == 1);
  CHECK(results.warnings().empty());
  // Appending after the blank line keeps the file readable.
  results.append(trial_result(2, 0.6));
  CHECK(ResultsFile(path, kHeader, false).finished().size() == 3);
  // A file of blank lines holds no search: it is started over.
  const std::string blank = file_with(dir, "\n\n");
  CHECK(ResultsFile(blank, kHeader, false).finished().empty());
}

TEST_CASE("hostile search results: an exact repeated trial line is dropped with a warning naming both lines") {
  TempDir dir;
  const std::string path =
      file_with(dir, header_line() + "\n" + trial_line(0, 0.8) + "\n" + trial_line(1, 0.7) + "\n" + trial_line(0, 0.8) + "\n");
  const ResultsFile results(path, kHeader, false);
  CHECK(results.finished().size() == 2);
  REQUIRE(results.warnings().size() == 1);
  CHECK(results.warnings()[0] ==
        "line 4 of the results file '" + path + "' repeats line 2 (stage 1 trial 0) and is ignored");
}

TEST_CASE("hostile search results: two different results for one trial are an error naming the trial and both lines") {
  TempDir dir;
  const std::string path =
      file_with(dir, header_line() + "\n" + trial_line(0, 0.8) + "\n" + trial_line(1, 0.7) + "\n" + trial_line(0, 0.6) + "\n");
  CHECK_ERROR(ResultsFile(path, kHeader, false),
              "search: lines 2 and 4 of the results file '" + path + "' hold different results for stage 1 trial 0 (" +
                  trial_line(0, 0.8) + " and " + trial_line(0, 0.6) + ")");
  // The same scores with another running time are two runs of the trial, too.
  const std::string timed = file_with(dir, header_line() + "\n" + trial_line(0, 0.8) + "\n" + trial_line(0, 0.8, 9) + "\n");
  CHECK_ERROR(ResultsFile(timed, kHeader, false), "lines 2 and 3 of the results file");
}

TEST_CASE("hostile search results: parse_results reads text without touching a file") {
  const ParsedResults parsed = parse_results(header_line() + "\n" + trial_line(0, 0.8) + "\n" + trial_line(1, 0.7).substr(0, 9),
                                             kHeader, "x.jsonl");
  CHECK(parsed.has_header);
  CHECK(parsed.finished.size() == 1);
  CHECK(parsed.complete_bytes == static_cast<std::int64_t>(header_line().size() + trial_line(0, 0.8).size() + 2));
  CHECK_ERROR(parse_results("5\n", kHeader, "x.jsonl"), "'x.jsonl' is not a tapegrad search results file");
}

TEST_CASE("hostile search results: a trial number that is no int is an error, not an undefined cast") {
  TempDir dir;
  nlohmann::json line = nlohmann::json::parse(trial_line(0, 0.8));
  line["stage"] = 1e300;
  CHECK_ERROR(ResultsFile(file_with(dir, header_line() + "\n" + line.dump() + "\n"), kHeader, false),
              "line 2 of the results file '" + dir.file("search.jsonl") +
                  "' is not a trial result: \"stage\" is 1e+300, expected an integer from 1 to 2147483647");
  line["stage"] = 1;
  line["trial"] = std::int64_t{1} << 40;
  CHECK_ERROR(ResultsFile(file_with(dir, header_line() + "\n" + line.dump() + "\n"), kHeader, false),
              "\"trial\" is 1099511627776, expected an integer from 0 to 2147483647");
  line["trial"] = 0;
  line["epochs"] = -3;
  CHECK_ERROR(ResultsFile(file_with(dir, header_line() + "\n" + line.dump() + "\n"), kHeader, false),
              "\"epochs\" is -3, expected an integer from 1 to 9223372036854775807");
}
