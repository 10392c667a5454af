#pragma once
// Trials in separate worker processes (`--workers N`). The master starts each worker by
// exec'ing the tapegrad executable again (`tapegrad search --worker`) rather than by a
// bare fork(): by then oneDNN/OpenMP may have started threads, and a forked child of a
// threaded process may only call async-signal-safe functions until it execs. A worker
// talks to the master over a Unix socket that is its stdin and stdout, in JSON lines:
//   master -> worker  {"setup": {...}}          once, then one {"trial": spec} at a time
//   worker -> master  {"result": result} or {"error": "message"} per trial, or
//                     {"error": "message", "setup": true} when the setup fails
// The master is the only writer of the results file, so its lines never interleave; a
// worker writes only its checkpoints.
//
// A worker that does not answer within the trial time limit (trial_time_limit.hpp) is
// stuck: the master names it (pid, stage, trial), kills it, and runs its trial once more
// in a new worker. A trial stuck twice fails the search (a tg::Error): the results file
// keeps every finished trial, and the same command resumes. A test hook makes a worker
// hang: with TAPEGRAD_TEST_WORKER_HANG=STAGE:TRIAL in its environment, a worker given
// that trial waits forever instead of running it.
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <tapegrad/train/search/runner.hpp>
#include <tapegrad/train/search/trial_time_limit.hpp>

namespace tg::train::search {

// The worker's side: reads the setup line, builds the trial function from it with
// make_trial, then answers trial lines until its input ends. Returns the exit code (0
// at the end of the input, 2 after reporting a failed trial).
int serve_trials(std::istream& in, std::ostream& out,
                 const std::function<TrialFunction(const nlohmann::json& setup)>& make_trial);

class WorkerPool final : public TrialExecutor {
 public:
  // Starts `workers` processes running `executable arguments...` and sends each the setup.
  // warn gets the message about a stuck worker (default: a warning line on stderr).
  WorkerPool(int workers, const nlohmann::json& setup, const std::string& executable,
             const std::vector<std::string>& arguments, TrialTimeLimit time_limit = {},
             std::function<void(const std::string&)> warn = {});
  // Closes the workers' input so that they exit, and waits for them; when an error is
  // unwinding, it terminates them first instead of waiting for their running trials. A
  // worker that has not ended after 2 s (a stopped process never does) is killed.
  ~WorkerPool() override;
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void run(const std::vector<TrialSpec>& specs, const std::function<void(const TrialResult&)>& on_finished) override;
  int size() const { return static_cast<int>(workers_.size()); }

 private:
  using Clock = std::chrono::steady_clock;
  struct Worker {
    pid_t pid = -1;
    int socket = -1;
    std::string received{};  // bytes after the last complete line
    std::optional<TrialSpec> running{};
    Clock::time_point started{};  // when it was given its running trial
  };
  // Starts a process and sends it the setup.
  Worker start_worker();
  // Kills the worker's process (stopped or not) and leaves an empty slot.
  void kill_worker(Worker& worker);
  void send(Worker& worker, const nlohmann::json& message);
  // Reads what the worker sent; returns its complete lines. Its end is a tg::Error.
  std::vector<std::string> receive(Worker& worker);
  // A tg::Error for an error message of the worker (naming its trial); else nothing.
  static void throw_if_error(const Worker& worker, const nlohmann::json& message);
  // The worker is gone: a tg::Error with its last error message, or how it ended.
  [[noreturn]] void fail_ended(Worker& worker);
  std::string describe_end(Worker& worker);
  nlohmann::json setup_;
  std::string executable_;
  std::vector<std::string> arguments_;
  TrialTimeLimit time_limit_;
  std::function<void(const std::string&)> warn_;
  std::vector<Worker> workers_;
};

}  // namespace tg::train::search
