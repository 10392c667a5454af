#pragma once
// Data-parallel training on the ranks of an MPI job (docs/distributed.md): every rank
// holds a replica of the module, runs forward and backward on its own share of the
// batch, and the gradients are averaged across ranks before the optimizer steps, so every
// replica takes the same step (PyTorch's DistributedDataParallel).
//
//   tg::dist::DataParallel ddp(model);          // broadcasts rank 0's parameters and buffers
//   for (...) {
//     optimizer->zero_grad();
//     loss_fn(ddp(x_shard), y_shard).backward();   // all-reduces start from hooks
//     ddp.synchronize();                         // waits; .grad() is the mean over ranks
//     optimizer->step();
//   }
//
// Gradients are averaged in buckets: flat buffers of about options.bucket_bytes filled in
// reverse registration order (the order backward produces them), each all-reduced with a
// non-blocking MPI_Iallreduce started by a gradient hook as soon as its last gradient
// arrives, while backward goes on. With a loss that is a mean over the rank's examples
// and equal shares, the mean over ranks is the gradient of the mean over the whole batch.
// Inside a NoSync scope the hooks do nothing and gradients accumulate locally; the
// first backward after it all-reduces the accumulated gradients.
//
// The hooks start all-reduces only in the backward of a forward made through the wrapper
// (ddp(x), or prepare_for_backward() before backward), until synchronize: other
// backward passes and tg::grad calls through the model (a monitor's gradient histogram
// on one rank, say) communicate nothing, so they cannot put the ranks' collectives out
// of step. Without it, synchronize still averages everything, with no overlap.
#include <cstddef>
#include <memory>

#include "tapegrad/nn/module.hpp"

namespace tg::dist {

struct DataParallelOptions {
  std::size_t bucket_bytes = std::size_t{25} << 20;  // ~25 MB, PyTorch's default
  // The first bucket (the last layers' gradients, which backward produces first) closes
  // at about this size, so that its all-reduce starts while backward is still running
  // even for a model smaller than one bucket (PyTorch caps it at 1 MB too).
  std::size_t first_bucket_bytes = std::size_t{1} << 20;
};

class DataParallel {
 public:
  explicit DataParallel(nn::ModulePtr module, DataParallelOptions options = {});
  ~DataParallel();
  DataParallel(const DataParallel&) = delete;
  DataParallel& operator=(const DataParallel&) = delete;

  // The module's forward, and prepare_for_backward().
  Tensor operator()(const Tensor& input);
  // The next backward is this step's: its gradient hooks start the buckets' all-reduces.
  void prepare_for_backward();

  // Waits for every bucket's all-reduce (starting those whose gradients did not all
  // arrive: a parameter without a gradient counts as zeros) and sets each parameter's
  // .grad() to the mean over ranks. Call after backward, before the optimizer's step.
  void synchronize();

  // Copies rank 0's floating-point buffers (BatchNorm's running statistics, which each
  // rank otherwise updates from its own share of the batch) to every rank: before an
  // evaluation shared among the ranks, or a checkpoint.
  void broadcast_buffers();

  // While one lives, backward accumulates gradients locally without communicating.
  class NoSync {
   public:
    explicit NoSync(DataParallel& ddp);
    ~NoSync();
    NoSync(const NoSync&) = delete;
    NoSync& operator=(const NoSync&) = delete;

   private:
    DataParallel& ddp_;
  };
  NoSync no_sync() { return NoSync(*this); }

  std::size_t num_buckets() const;
  // Buckets whose all-reduce the gradient hooks have started since the last synchronize
  // (all of them after a backward that reached every parameter).
  std::size_t buckets_in_flight() const;
  const nn::ModulePtr& module() const { return module_; }

 private:
  struct State;
  nn::ModulePtr module_;
  std::shared_ptr<State> state_;
};

}  // namespace tg::dist
