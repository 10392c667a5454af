#pragma once
// What Trainer::fit needs from the ranks of a data-parallel job (TrainOptions::distributed,
// docs/distributed.md). Built on dist/ in src/mpi/; without MPI, start_distributed_run is
// an error (src/no_mpi/).
#include <memory>
#include <vector>

#include <tapegrad/nn/module.hpp>

namespace tg::train::detail {

class DistributedRun {
 public:
  virtual ~DistributedRun() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Before a training step's backward: its gradient hooks start the all-reduces (other
  // backward passes, such as a monitor's on one rank, communicate nothing).
  virtual void prepare_for_backward() = 0;
  // After backward: every parameter's .grad() becomes its mean over the ranks.
  virtual void synchronize_gradients() = 0;
  // Rank 0's floating buffers (BatchNorm's running statistics) to every rank.
  virtual void broadcast_buffers() = 0;
  // Every rank's values become their sums over the ranks (in place; the same length everywhere).
  virtual void sum(std::vector<double>& values) = 0;
};

// Wraps model for data-parallel training (rank 0's parameters and buffers go to every
// rank; gradients are all-reduced from hooks during backward), its BatchNorms synchronized
// when asked. Needs a live MpiSession.
std::unique_ptr<DistributedRun> start_distributed_run(const nn::ModulePtr& model, bool sync_batch_norm);

}  // namespace tg::train::detail
