#pragma once
// Sums across the processes of a job, for layers whose statistics span every process's
// batch (synchronized BatchNorm, tapegrad/nn/sync_batch_norm.hpp). nn knows no MPI: the
// distributed layer implements this interface (tapegrad/dist/sync_batch_norm.hpp holds
// the MPI one), and tests implement it with a fake that simulates several processes.
#include <memory>

#include "tapegrad/tensor.hpp"

namespace tg::nn {

// A collective: every process calls all_reduce_sum with a tensor of the same shape and
// dtype, in the same order, and each process's t becomes (in place) the elementwise sum
// of all processes' t. t is contiguous, f32 or f64.
struct SumAcrossProcesses {
  virtual ~SumAcrossProcesses() = default;
  virtual void all_reduce_sum(Tensor& t) = 0;
};

// The sum across processes of t (any layout), as a new tensor, differentiable: every
// process's loss counts in the total (sum_p loss_p), so the gradient reaching t is the
// sum across processes of the output's gradient, computed by one more all_reduce_sum
// during backward (which every process must therefore run too).
Tensor sum_across_processes(const Tensor& t, const std::shared_ptr<SumAcrossProcesses>& reducer);

}  // namespace tg::nn
