#include "tapegrad/dist/sync_batch_norm.hpp"

#include <memory>

#include "tapegrad/dist/collectives.hpp"
#include "tapegrad/error.hpp"

namespace tg::dist {

namespace {

void require_mpi(const char* what) {
  TG_CHECK(is_initialized(),
           "{}: MPI is not initialized (or already finalized); synchronized BatchNorm needs a live "
           "tg::dist::Environment (and the program run under mpirun)",
           what);
}

}  // namespace

MpiSumAcrossProcesses::MpiSumAcrossProcesses() { require_mpi("tg::dist::MpiSumAcrossProcesses"); }

void MpiSumAcrossProcesses::all_reduce_sum(Tensor& t) {
  require_mpi("synchronized BatchNorm (tg::dist::MpiSumAcrossProcesses)");
  all_reduce(t, ReduceOp::sum);
}

std::size_t convert_sync_batch_norm(nn::Module& module) {
  require_mpi("tg::dist::convert_sync_batch_norm");
  return nn::set_batch_norm_synchronization(module, std::make_shared<MpiSumAcrossProcesses>());
}

}  // namespace tg::dist
