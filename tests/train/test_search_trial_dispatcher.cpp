// Rank 0's bookkeeping of a distributed search (trial_dispatcher.hpp), without MPI: the
// setup on the first "ready", one trial per idle rank, heartbeats, a silent rank counted
// dead with its trial re-queued to another rank, errors named by rank and trial.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <string>
#include <vector>

#include "check_error.hpp"
#include <tapegrad/train/search/results.hpp>
#include <tapegrad/train/search/trial_dispatcher.hpp>

using namespace tg::train::search;
using Clock = TrialDispatcher::Clock;
using nlohmann::json;

namespace {

const Clock::time_point t0{};

Clock::time_point at(double seconds) {
  return t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

TrialSpec spec(int trial) { return {1, trial, {{"lr", 1e-3 * (trial + 1)}}, 1, 500}; }

json result_of(int trial) { return {{"result", to_json(TrialResult{spec(trial), 0.5 + 0.1 * trial, 1.0, 2.0, ""})}}; }

// The messages for one rank, in order.
std::vector<json> to_rank(const std::vector<TrialDispatcher::Outgoing>& out, int rank) {
  std::vector<json> messages;
  for (const auto& o : out)
    if (o.rank == rank) messages.push_back(o.message);
  return messages;
}

const MpiSearchOptions kOptions{1, 5};

// A dispatcher for `ranks` ranks whose workers 1 .. ranks-1 have taken the setup at t=0.
TrialDispatcher ready_dispatcher(int ranks, std::vector<std::string>& warnings) {
  TrialDispatcher d(ranks, {{"model", "mlp"}}, kOptions, t0,
                    [&](const std::string& message) { warnings.push_back(message); });
  for (int r = 1; r < ranks; ++r) d.receive(r, {{"ready", true}}, t0);
  d.poll(t0);
  for (int r = 1; r < ranks; ++r) d.receive(r, {{"ready", true}}, t0);
  return d;
}

}  // namespace

TEST_CASE("search dispatcher: the setup answers a rank's first ready, then it gets one trial at a time") {
  TrialDispatcher d(3, {{"model", "mlp"}}, kOptions, t0, {});
  d.add({spec(0), spec(1), spec(2)});
  CHECK_FALSE(d.done());
  CHECK(d.live_workers() == 2);
  CHECK(d.receive(1, {{"ready", true}}, t0) == std::nullopt);
  auto out = d.poll(t0);
  REQUIRE(out.size() == 1);  // no trial before the setup is built, no heartbeat due
  CHECK(out[0].rank == 1);
  CHECK(out[0].message == json{{"setup", {{"model", "mlp"}}}});

  d.receive(1, {{"ready", true}}, at(0.5));  // setup built
  out = d.poll(at(0.5));
  REQUIRE(to_rank(out, 1).size() == 1);
  CHECK(to_rank(out, 1)[0] == json{{"trial", to_json(spec(0))}, {"attempt", 1}});
  CHECK(to_rank(out, 2).empty());
  CHECK(d.poll(at(0.6)).empty());  // rank 1 runs trial 0 already

  const auto finished = d.receive(1, result_of(0), at(2));
  REQUIRE(finished.has_value());
  CHECK(finished->spec == spec(0));
  CHECK(finished->validation_accuracy == 0.5);
  out = d.poll(at(2));
  REQUIRE(to_rank(out, 1).size() == 1);
  CHECK(to_rank(out, 1)[0].at("trial") == to_json(spec(1)));
  // Rank 2 never asked: only heartbeats, one per period (1 s here).
  REQUIRE(to_rank(out, 2).size() == 1);
  CHECK(to_rank(out, 2)[0] == json{{"alive", true}});
  // Every worker alive: the stop messages let them finalize MPI as usual.
  for (const auto& stop : d.stop()) CHECK(stop.message == json{{"stop", true}, {"rank_lost", false}});
  CHECK(to_rank(d.poll(at(2.5)), 2).empty());
  CHECK(to_rank(d.poll(at(3.0)), 2).size() == 1);
}

TEST_CASE("search dispatcher: a rank silent past the timeout is dead, named with its trial, which goes to another rank") {
  std::vector<std::string> warnings;
  TrialDispatcher d = ready_dispatcher(3, warnings);
  d.add({spec(0), spec(1), spec(2)});
  d.poll(at(0.1));  // rank 1: trial 0, rank 2: trial 1
  // Rank 2 keeps sending heartbeats and finishes trial 1; rank 1 says nothing more.
  for (double t = 1; t <= 5; t += 1) d.receive(2, {{"alive", true}}, at(t));
  CHECK(d.receive(2, result_of(1), at(5))->spec == spec(1));
  auto out = d.poll(at(5));
  CHECK(warnings.empty());  // 5 s of silence is not more than 5 s
  CHECK(to_rank(out, 2)[0].at("trial") == to_json(spec(2)));
  CHECK(d.receive(2, result_of(2), at(5.1)).has_value());
  out = d.poll(at(5.2));
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0] == "search: rank 1 sent nothing for 5.2 s (more than --mpi-timeout 5 s) while running stage 1 "
                       "trial 0; it counts as dead, and the trial goes back to the queue for another rank");
  CHECK(d.live_workers() == 1);
  REQUIRE(to_rank(out, 2).size() == 1);
  CHECK(to_rank(out, 2)[0] == json{{"trial", to_json(spec(0))}, {"attempt", 2}});
  CHECK(to_rank(out, 1).empty());

  // Rank 1 comes back (it was stopped, not killed): told to stop, its result ignored.
  CHECK(d.receive(1, result_of(0), at(6)) == std::nullopt);
  out = d.poll(at(6));
  REQUIRE(to_rank(out, 1).size() == 1);
  CHECK(to_rank(out, 1)[0] == json{{"stop", true}});
  CHECK_FALSE(d.done());
  CHECK(d.receive(2, result_of(0), at(7))->spec == spec(0));
  CHECK(d.done());
  const auto stops = d.stop();
  REQUIRE(stops.size() == 1);  // the dead rank was told already
  CHECK(stops[0].rank == 2);
  CHECK(stops[0].message == json{{"stop", true}, {"rank_lost", true}});  // rank 1 died: no MPI_Finalize
}

TEST_CASE("search dispatcher: an idle rank counted dead is named, and with every worker dead the search stops") {
  std::vector<std::string> warnings;
  TrialDispatcher d = ready_dispatcher(2, warnings);
  d.poll(at(6));
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0] == "search: rank 1 sent nothing for 6.0 s (more than --mpi-timeout 5 s); it counts as dead");
  CHECK(d.done());  // no trials: nothing is lost
  d.add({spec(0), spec(1)});
  CHECK_ERROR(d.poll(at(7)), "search: every worker rank is dead (see the warnings above), and 2 trials are left; the "
                             "results file keeps the finished trials, and the same command resumes");
}

TEST_CASE("search dispatcher: a worker's error names its rank and trial, and stray messages are errors") {
  std::vector<std::string> warnings;
  TrialDispatcher d = ready_dispatcher(3, warnings);
  d.add({spec(0)});
  d.poll(t0);
  CHECK_ERROR(d.receive(1, {{"error", "out of memory"}}, at(1)), "stage 1 trial 0: out of memory");
  CHECK_ERROR(d.receive(2, {{"error", "no data"}, {"setup", true}}, at(1)), "search: rank 2 could not start: no data");
  CHECK_ERROR(d.receive(2, result_of(0), at(1)), "search: rank 2 sent a message outside the search protocol: "
                                                 "'{\"result\":");
  CHECK_ERROR(d.receive(2, json::parse("[1, 2]"), at(1)), "search: rank 2 sent a message outside the search "
                                                          "protocol: '[1,2]'");
  CHECK_ERROR(d.receive(3, {{"alive", true}}, at(1)), "search: a message from rank 3, which is not a worker rank (1 "
                                                      "to 2)");
  CHECK_ERROR(d.receive(1, result_of(4), at(1)), "search: rank 1 sent the result of stage 1 trial 4 while it was "
                                                 "running stage 1 trial 0");
}

TEST_CASE("search dispatcher: options and ranks are checked") {
  CHECK_ERROR(TrialDispatcher(1, {}, kOptions, t0, {}), "search: a distributed search needs at least 2 ranks (rank 0 "
                                                        "hands out the trials, the others run them), got 1");
  CHECK_ERROR((MpiSearchOptions{1, 0}.validate()),
              "search: the MPI timeout (--mpi-timeout) must be a positive number of seconds, got 0");
  CHECK_ERROR((MpiSearchOptions{1, NAN}.validate()), "(--mpi-timeout) must be a positive number of seconds, got nan");
  CHECK_ERROR((MpiSearchOptions{5, 5}.validate()),
              "search: the MPI heartbeat period must be positive and shorter than the timeout (5 s), got 5");
  const MpiSearchOptions defaults;
  CHECK(defaults.heartbeat_seconds == 1);
  CHECK(defaults.dead_after_seconds == 30);
  CHECK(MpiSearchOptions::with_timeout(30).heartbeat_seconds == 1);
  CHECK(MpiSearchOptions::with_timeout(3).heartbeat_seconds == doctest::Approx(0.6));
  CHECK(MpiSearchOptions::with_timeout(3).dead_after_seconds == 3);
}
