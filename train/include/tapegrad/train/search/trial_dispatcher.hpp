#pragma once
// Rank 0's side of a distributed search (mpi_search.hpp) without the transport: which
// worker rank runs which trial, who has been silent too long, what to send next. It
// works on JSON messages and a clock passed in, so it is tested without MPI.
//
// The protocol (one JSON object per message, the answers of workers.hpp reused):
//   worker -> 0  {"ready": true}            at its start (asking for the setup), and
//                                           again once the setup is built
//   0 -> worker  {"setup": {...}}           once, answering the first "ready"
//   0 -> worker  {"trial": spec, "attempt": n}  one at a time; n counts the ranks the
//                                           trial was given to (2: re-queued once)
//   worker -> 0  {"result": result} or {"error": "message"[, "setup": true]}
//   both ways    {"alive": true}            every heartbeat period
//   0 -> worker  {"stop": true}             at the end, or to a rank counted dead
// A worker rank that has sent nothing for dead_after seconds counts as dead (killed,
// its machine gone, or stopped): its running trial goes back to the front of the queue
// for another rank, and a warning names the rank, the stage and the trial. A dead rank
// that speaks again is told to stop and ignored, so no trial is counted twice.
#include <chrono>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <tapegrad/train/search/trial.hpp>

namespace tg::train::search {

// The MPI tag of the search's messages.
inline constexpr int kSearchMessageTag = 41;

struct MpiSearchOptions {
  double heartbeat_seconds = 1;    // how often each side says it is alive
  double dead_after_seconds = 30;  // silence after which the other side counts as dead (--mpi-timeout)

  // The options of `tapegrad search --mpi-timeout SECONDS`: that silence, and a heartbeat
  // of a fifth of it, at most 1 s (so a few heartbeats may be late before a rank counts as
  // dead).
  static MpiSearchOptions with_timeout(double dead_after_seconds);
  // A tg::Error unless both are finite and positive and the heartbeat is shorter than
  // dead_after.
  void validate() const;
};

class TrialDispatcher {
 public:
  using Clock = std::chrono::steady_clock;
  struct Outgoing {
    int rank = 0;
    nlohmann::json message{};
  };

  // Worker ranks 1 .. ranks-1, none heard from yet: the silence of each counts from now.
  // warn gets each warning about a rank counted dead.
  TrialDispatcher(int ranks, nlohmann::json setup, MpiSearchOptions options, Clock::time_point now,
                  std::function<void(const std::string&)> warn);

  // Queues trials, in order, behind any still waiting.
  void add(const std::vector<TrialSpec>& specs);
  // A worker rank's message: the result of the trial it finished, if it carries one. An
  // error answer is a tg::Error naming the rank and its trial; a message outside the
  // protocol is a tg::Error too.
  std::optional<TrialResult> receive(int rank, const nlohmann::json& message, Clock::time_point now);
  // Counts ranks silent for longer than dead_after as dead (re-queueing their trials),
  // then returns what to send: the setup, trials to idle ranks, heartbeats that are due,
  // stop messages to dead ranks that spoke. A tg::Error when every worker rank is dead
  // while trials are left.
  std::vector<Outgoing> poll(Clock::time_point now);
  // Whether no trial is waiting or running.
  bool done() const;
  // A stop message for every rank not counted dead.
  std::vector<Outgoing> stop() const;
  int live_workers() const;

 private:
  enum class State { starting, setting_up, idle, running, dead };
  struct Worker {
    State state = State::starting;
    Clock::time_point heard{}, sent{};
    std::optional<TrialSpec> running{};
    int attempt = 0;
    bool stop_due = false;  // counted dead, and spoke since
  };
  struct Waiting {
    TrialSpec spec;
    int attempt = 1;
  };
  [[noreturn]] void fail_protocol(int rank, const nlohmann::json& message) const;
  nlohmann::json setup_;
  MpiSearchOptions options_;
  std::function<void(const std::string&)> warn_;
  std::vector<Worker> workers_;  // index = rank; index 0 unused
  std::deque<Waiting> waiting_;
  std::vector<Outgoing> outgoing_;
};

}  // namespace tg::train::search
