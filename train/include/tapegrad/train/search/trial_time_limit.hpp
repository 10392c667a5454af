#pragma once
// How long a trial in a worker process may take before the master counts the worker as
// stuck (stopped, deadlocked, swapping to death), kills it and runs the trial again in a
// new worker (see workers.hpp). `tapegrad search --trial-timeout SECONDS` sets it; by
// default it is automatic, derived from the work:
//   before a trial of the stage has finished:  300 s + 0.02 s x epochs x training samples
//     (the trial's --train-limit, or 60000, the whole Fashion-MNIST training file); 0.02 s
//     a sample is 50 samples/s, far below the cnn's speed even on one busy core;
//   once one has finished:  10 x the slowest finished trial of the stage, at least 300 s
//     (trials of one stage do the same work, so their times are alike).
// The 300 s cover a worker's start (loading the data) on a loaded machine.
#include <tapegrad/train/search/trial.hpp>

namespace tg::train::search {

struct TrialTimeLimit {
  double seconds = 0;  // > 0: this limit for every trial; 0: automatic

  // The limit for spec, given the slowest trial of its stage that has finished (in
  // seconds; 0 when none has).
  double for_trial(const TrialSpec& spec, double slowest_finished) const;
  // A tg::Error unless seconds is finite and >= 0.
  void validate() const;
};

}  // namespace tg::train::search
