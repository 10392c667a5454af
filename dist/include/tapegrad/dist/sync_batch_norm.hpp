#pragma once
// Synchronized BatchNorm across the ranks of an MPI job (docs/distributed.md,
// "Synchronized BatchNorm"): the statistics of every BatchNorm in training mode are
// taken over the batches of all ranks, so N ranks with per-rank batches of b normalize
// exactly as one process with the whole batch of N * b (PyTorch's SyncBatchNorm).
//
//   tg::dist::Environment mpi(argc, argv);
//   auto model = ...;                                   // with BatchNorm1d / BatchNorm2d
//   tg::dist::convert_sync_batch_norm(*model);          // before training
//   tg::dist::DataParallel ddp(model);
//
// Every rank must then run the same training forwards and backwards (each is a
// collective), with the same channel counts; eval forwards never communicate.
#include <cstddef>

#include "tapegrad/nn/batch_norm.hpp"
#include "tapegrad/nn/cross_process.hpp"

namespace tg::dist {

// nn::SumAcrossProcesses on MPI_COMM_WORLD (an MPI_Allreduce sum, see collectives.hpp).
// Creating one, and using it, needs MPI initialized (a tg::dist::Environment alive):
// otherwise a tg::Error.
class MpiSumAcrossProcesses final : public nn::SumAcrossProcesses {
 public:
  MpiSumAcrossProcesses();
  void all_reduce_sum(Tensor& t) override;
};

// Makes every BatchNorm1d and BatchNorm2d under module (module included) synchronized
// across the ranks, with one shared MpiSumAcrossProcesses; returns how many. A tg::Error
// when MPI is not initialized. nn::set_batch_norm_synchronization(module, nullptr)
// undoes it.
std::size_t convert_sync_batch_norm(nn::Module& module);

}  // namespace tg::dist
