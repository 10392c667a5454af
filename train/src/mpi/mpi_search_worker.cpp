// A worker rank of a distributed search (mpi_search.hpp): trials on a thread of their
// own, MPI on this one (the Environment is MPI_THREAD_FUNNELED).
#include <signal.h>

#include <fmt/format.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include <tapegrad/dist/collectives.hpp>
#include <tapegrad/dist/messages.hpp>
#include <tapegrad/error.hpp>
#include <tapegrad/train/search/mpi_search.hpp>
#include <tapegrad/train/search/results.hpp>

#include "search/worker_messages.hpp"

namespace tg::train::search {

namespace {

// One thread that runs the jobs posted to it, one at a time, and keeps each one's
// answer until taken. The setup and every trial run on this same thread, so a thread
// count the setup sets (OpenMP's is per thread) holds for the trials.
class JobThread {
 public:
  JobThread() : thread_([this] { loop(); }) {}
  // Waits for a running job to end.
  ~JobThread() {
    {
      std::lock_guard lock(mutex_);
      quit_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  JobThread(const JobThread&) = delete;
  JobThread& operator=(const JobThread&) = delete;

  void post(std::function<nlohmann::json()> job) {
    {
      std::lock_guard lock(mutex_);
      job_ = std::move(job);
      busy_ = true;
    }
    wake_.notify_all();
  }
  // The finished job's answer, once.
  std::optional<nlohmann::json> take() {
    std::lock_guard lock(mutex_);
    return std::exchange(answer_, std::nullopt);
  }
  bool busy() const {
    std::lock_guard lock(mutex_);
    return busy_;
  }

 private:
  void loop() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return quit_ || job_; });
      if (!job_) return;
      const auto job = std::exchange(job_, nullptr);
      lock.unlock();
      nlohmann::json answer = job();
      lock.lock();
      answer_ = std::move(answer);
      busy_ = false;
    }
  }
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::function<nlohmann::json()> job_{};
  std::optional<nlohmann::json> answer_{};
  bool busy_ = false, quit_ = false;
  std::thread thread_;  // last: it starts once the rest is built
};

// The test hook of mpi_search.hpp: TAPEGRAD_TEST_RANK_DIE=STAGE:TRIAL.
bool test_death_requested(const TrialSpec& spec, int attempt) {
  const char* hook = std::getenv("TAPEGRAD_TEST_RANK_DIE");
  int stage = 0, trial = 0;
  return hook != nullptr && std::sscanf(hook, "%d:%d", &stage, &trial) == 2 && stage == spec.stage &&
         trial == spec.trial && attempt == 1;
}

}  // namespace

int serve_trials_mpi(const std::function<TrialFunction(const nlohmann::json& setup)>& make_trial,
                     MpiSearchOptions options) {
  options.validate();
  TG_CHECK(dist::is_initialized(), "search: serve_trials_mpi needs MPI: create a tg::train::MpiSession first (and "
           "start the job with mpirun)");
  const int rank = dist::rank();
  TG_CHECK(rank != 0, "search: serve_trials_mpi runs on the worker ranks (1 and up); rank 0 runs the search with an "
           "MpiExecutor");
  using Clock = std::chrono::steady_clock;
  const auto seconds_since = [](Clock::time_point then) {
    return std::chrono::duration<double>(Clock::now() - then).count();
  };
  auto sent = Clock::now(), heard = sent;
  dist::Outbox outbox;  // never a blocking send: rank 0 may be dead
  const auto send = [&](const nlohmann::json& message) {
    outbox.send(0, kSearchMessageTag, message.dump());
    sent = Clock::now();
  };

  TrialFunction trial;  // used by the job thread only, after the setup job built it
  JobThread jobs;
  send({{"ready", true}});
  for (;;) {
    if (const auto answer = jobs.take()) send(*answer);
    while (const auto received = dist::try_receive(0, kSearchMessageTag)) {
      heard = Clock::now();
      const nlohmann::json message = nlohmann::json::parse(received->text, nullptr, false);
      const auto has = [&](const char* key) { return message.is_object() && message.contains(key); };
      if (has("stop")) {
        if (message.value("rank_lost", false)) dist::note_rank_lost();
        outbox.flush(2);
        return 0;  // a running trial's thread is waited for: its answer goes nowhere
      }
      if (has("setup")) {
        jobs.post([&trial, &make_trial, setup = message.at("setup")] {
          auto built = build_trial([&] { return make_trial(setup); });
          if (auto* failure = std::get_if<nlohmann::json>(&built)) return std::move(*failure);
          trial = std::get<TrialFunction>(std::move(built));
          return nlohmann::json{{"ready", true}};
        });
      } else if (has("trial")) {
        const TrialSpec spec = trial_spec_from_json(message.at("trial"));
        if (test_death_requested(spec, message.value("attempt", 1))) {
          fmt::print(stderr, "TAPEGRAD_TEST_RANK_DIE: rank {} kills itself, given stage {} trial {}\n", rank, spec.stage,
                     spec.trial);
          std::fflush(stderr);
          ::raise(SIGKILL);
        }
        jobs.post([&trial, spec] { return trial_answer([&] { return trial(spec); }); });
      } else if (!has("alive")) {
        fail("search: rank {} got a message from rank 0 outside the search protocol: '{}'", rank, received->text);
      }
    }
    if (const double silent = seconds_since(heard); silent > options.dead_after_seconds) {
      const std::string error = fmt::format(
          "search: rank {} heard nothing from rank 0 for {:.1f} s (more than --mpi-timeout {:g} s): rank 0 died or is "
          "stuck, so this worker stops",
          rank, silent, options.dead_after_seconds);
      dist::note_rank_lost();
      if (!jobs.busy()) fail("{}", error);
      // The running trial's thread cannot be stopped, so neither can this process be
      // ended in order: the error, then out.
      fmt::print(stderr, "tapegrad: error: {}\n", error);
      std::fflush(stderr);
      std::_Exit(2);
    }
    // A heartbeat adds nothing while the last message has not left.
    if (outbox.progress() == 0 && seconds_since(sent) >= options.heartbeat_seconds) send({{"alive", true}});
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace tg::train::search
