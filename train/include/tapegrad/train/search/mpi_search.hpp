#pragma once
// A search across the ranks of an MPI job (`mpirun -np N tapegrad search --mpi`;
// docs/distributed.md): rank 0 samples the trials (run_search, as in one process), hands
// them out one at a time and is the only writer of the results file; ranks 1 .. N-1 run
// them. The messages and how a dead rank is noticed are in trial_dispatcher.hpp.
//
// A worker rank that dies loses only its running trial, which rank 0 gives to another
// rank once the dead one has been silent for MpiSearchOptions::dead_after_seconds. Under a
// plain `mpirun` a rank that dies makes mpirun end the whole job; the other ranks go on
// only under `mpirun --enable-recovery`. A worker rank that hears nothing from rank 0 for
// that long stops with an error. Built with MPI only: without it both are a tg::Error.
//
// A test hook kills a worker: with TAPEGRAD_TEST_RANK_DIE=STAGE:TRIAL in its environment,
// a worker rank given that trial for the first time (attempt 1) raises SIGKILL.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <tapegrad/train/search/runner.hpp>
#include <tapegrad/train/search/trial_dispatcher.hpp>

namespace tg::train::search {

// Rank 0's executor: needs an initialized MPI job of at least 2 ranks (tg::train::MpiSession).
class MpiExecutor final : public TrialExecutor {
 public:
  // setup goes to every worker rank, which builds its trial function from it. warn gets
  // each warning about a rank counted dead (default: a warning line on stderr).
  MpiExecutor(const nlohmann::json& setup, MpiSearchOptions options = {},
              std::function<void(const std::string&)> warn = {});
  // Tells the worker ranks to stop (they end serve_trials_mpi).
  ~MpiExecutor() override;
  MpiExecutor(const MpiExecutor&) = delete;
  MpiExecutor& operator=(const MpiExecutor&) = delete;

  void run(const std::vector<TrialSpec>& specs, const std::function<void(const TrialResult&)>& on_finished) override;

 private:
  struct Impl;  // the dispatcher and the MPI sends in flight
  std::unique_ptr<Impl> impl_;
};

// A worker rank's side (rank > 0): asks rank 0 for the setup, builds the trial function
// with make_trial, runs the trials it is given, each on a thread of its own while this
// thread (the only one calling MPI) sends heartbeats and listens. Returns 0 when rank 0
// says stop. A failed trial's error goes to rank 0, which stops the search. When rank 0
// has been silent for dead_after_seconds it is a tg::Error; if a trial is running then,
// the error is printed on stderr and the process ends at once (status 2), since the
// trial's thread cannot be stopped.
int serve_trials_mpi(const std::function<TrialFunction(const nlohmann::json& setup)>& make_trial,
                     MpiSearchOptions options = {});

// For rank 0 when the search fails: ends every rank of the job at once (MPI_Abort, whose
// exit_code becomes mpirun's), instead of leaving the workers to finish their trials and
// then wait out the timeout. Print the error first. Without MPI it ends this process.
[[noreturn]] void abort_distributed_search(int exit_code);

}  // namespace tg::train::search
