// The answers a search worker sends (search/worker_messages.hpp), shared by --workers'
// processes and --mpi's ranks: a result, a trial's error, a setup error, and how the
// master turns an error answer into a tg::Error naming the worker and its trial.
#include <doctest/doctest.h>

#include <stdexcept>

#include "check_error.hpp"
#include "search/worker_messages.hpp"
#include <tapegrad/train/search/results.hpp>

using namespace tg::train::search;
using nlohmann::json;

namespace {

const TrialSpec kSpec{2, 5, {{"lr", 1e-3}}, 1, 300};

}  // namespace

TEST_CASE("search worker answers: a result, a trial's error as it is, other exceptions as internal errors") {
  const TrialResult result{kSpec, 0.8, 0.4, 1.5, ""};
  CHECK(trial_answer([&] { return result; }) == json{{"result", to_json(result)}});
  CHECK(trial_answer([]() -> TrialResult { tg::fail("trainer: loss is nan"); }) ==
        json{{"error", "trainer: loss is nan"}});
  CHECK(trial_answer([]() -> TrialResult { throw std::runtime_error("bad_alloc"); }) ==
        json{{"error", "internal error in a search worker: bad_alloc"}});
}

TEST_CASE("search worker answers: a setup that throws is the setup-error answer") {
  const auto built = build_trial([]() -> TrialFunction { tg::fail("load_fashion_mnist: no data"); });
  REQUIRE(std::holds_alternative<json>(built));
  CHECK(std::get<json>(built) == json{{"error", "load_fashion_mnist: no data"}, {"setup", true}});
  const auto ok = build_trial([] { return TrialFunction([](const TrialSpec& s) { return TrialResult{s}; }); });
  REQUIRE(std::holds_alternative<TrialFunction>(ok));
  CHECK(std::get<TrialFunction>(ok)(kSpec).spec == kSpec);
}

TEST_CASE("search worker answers: the master names the worker and its trial in an error answer") {
  CHECK_NOTHROW(throw_if_error_answer({{"result", 1}}, &kSpec, "rank 3"));
  CHECK_ERROR(throw_if_error_answer({{"error", "nan"}}, &kSpec, "rank 3"), "stage 2 trial 5: nan");
  CHECK_ERROR(throw_if_error_answer({{"error", "no data"}, {"setup", true}}, &kSpec, "rank 3"),
              "search: rank 3 could not start: no data");
  CHECK_ERROR(throw_if_error_answer({{"error", "no data"}}, nullptr, "a worker"),
              "search: a worker could not start: no data");
}
