// tapegrad search's master with stuck workers: the trial time limit (automatic or given),
// a worker past it is killed and its trial runs once more in a new worker, a trial stuck
// twice fails the search, and the pool's end does not wait forever for a stopped worker.
// The workers here are small shell scripts speaking the protocol of workers.hpp.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "check_error.hpp"
#include <tapegrad/train/search/results.hpp>
#include <tapegrad/train/search/trial_time_limit.hpp>
#include <tapegrad/train/search/workers.hpp>
#include "temp_dir.hpp"

using namespace tg::train::search;

namespace {

const TrialSpec kSpec{1, 3, {{"lr", 1e-3}}, 2, 500};

// A worker that reads the setup and its trial, then hangs unless `marker` exists, in which
// case it answers with a result for kSpec; it creates the marker, so a second worker answers.
std::vector<std::string> worker_hanging_once(const std::string& marker) {
  const TrialResult result{kSpec, 0.75, 0.5, 1.0, ""};
  const std::string line = nlohmann::json{{"result", to_json(result)}}.dump();
  return {"-c",
          "read setup; read trial; if [ -e \"$1\" ]; then printf '%s\\n' \"$2\"; cat >/dev/null; "
          "else touch \"$1\"; exec sleep 1000; fi",
          "worker", marker, line};
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("search trial time limit: automatic from the work, then 10 x the slowest finished trial, or as given") {
  const TrialTimeLimit automatic{};
  CHECK(automatic.for_trial(kSpec, 0) == doctest::Approx(300 + 0.02 * 2 * 500));
  CHECK(automatic.for_trial({1, 0, {}, 3, 0}, 0) == doctest::Approx(300 + 0.02 * 3 * 60000));
  CHECK(automatic.for_trial(kSpec, 12) == doctest::Approx(300));
  CHECK(automatic.for_trial(kSpec, 45) == doctest::Approx(450));
  CHECK(TrialTimeLimit{7}.for_trial(kSpec, 45) == 7);
  CHECK_ERROR(TrialTimeLimit{-1}.validate(), "--trial-timeout must be 0 (automatic) or a positive number of seconds, got -1");
  CHECK_ERROR(TrialTimeLimit{NAN}.validate(), "--trial-timeout must be 0 (automatic)");
}

TEST_CASE("search workers: a worker past the trial time limit is named, killed, and its trial runs in a new worker") {
  TempDir dir;
  std::vector<std::string> warnings;
  std::vector<TrialResult> finished;
  const auto start = std::chrono::steady_clock::now();
  {
    WorkerPool pool(1, {{"fake", true}}, "/bin/sh", worker_hanging_once(dir.file("marker")), TrialTimeLimit{0.5},
                    [&](const std::string& message) { warnings.push_back(message); });
    pool.run({kSpec}, [&](const TrialResult& result) { finished.push_back(result); });
  }
  CHECK(seconds_since(start) < 10);
  REQUIRE(finished.size() == 1);
  CHECK(finished[0].spec == kSpec);
  CHECK(finished[0].validation_accuracy == 0.75);
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].find("search: the worker (pid ") == 0);
  CHECK(warnings[0].find(") running stage 1 trial 3 passed the trial time limit of 0.5 s (--trial-timeout) and was "
                         "killed; the trial runs once more, in a new worker (pid ") != std::string::npos);
}

TEST_CASE("search workers: a trial stuck twice fails the search with both workers named") {
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::string> warnings;
  const auto run = [&] {
    WorkerPool pool(2, {{"fake", true}}, "/bin/sh", {"-c", "exec sleep 1000"}, TrialTimeLimit{0.3},
                    [&](const std::string& message) { warnings.push_back(message); });
    pool.run({kSpec}, [](const TrialResult&) { FAIL("no trial finishes"); });
  };
  CHECK_ERROR(run(), ") running stage 1 trial 3 passed the trial time limit of 0.3 s (--trial-timeout) and was killed; "
                     "the trial was stuck before too (in the worker pid ");
  CHECK(warnings.size() == 1);
  CHECK(seconds_since(start) < 10);
}

TEST_CASE("search workers: the pool's end kills a stopped idle worker instead of waiting for it forever") {
  const auto start = std::chrono::steady_clock::now();
  {
    // An idle worker that stops itself (as SIGSTOP would) after reading its setup.
    WorkerPool pool(1, {{"fake", true}}, "/bin/sh", {"-c", "read setup; kill -STOP $$"});
  }
  CHECK(seconds_since(start) < 10);
}
