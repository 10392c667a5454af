// Synchronized BatchNorm without a live MPI environment: this executable's main creates
// no tg::dist::Environment (tests/dist/CMakeLists.txt), so MPI starts uninitialized.
#include <doctest/doctest.h>

#include <tapegrad/dist/collectives.hpp>
#include <tapegrad/dist/sync_batch_norm.hpp>
#include <tapegrad/nn/nn.hpp>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"

namespace dist = tg::dist;
namespace nn = tg::nn;

// One test case: MPI can be initialized once per process, and the order matters
// (before the Environment, during it, after it).
TEST_CASE("dist synchronized BatchNorm needs MPI initialized: before the Environment and after it ends") {
  REQUIRE_FALSE(dist::is_initialized());
  nn::BatchNorm1d bn(3);
  CHECK_ERROR(dist::convert_sync_batch_norm(bn),
              "tg::dist::convert_sync_batch_norm: MPI is not initialized (or already finalized); synchronized "
              "BatchNorm needs a live tg::dist::Environment");
  CHECK(bn.synchronization() == nullptr);
  CHECK_ERROR(dist::MpiSumAcrossProcesses{}, "tg::dist::MpiSumAcrossProcesses: MPI is not initialized");
  {
    dist::Environment mpi;
    CHECK(dist::convert_sync_batch_norm(bn) == 1);
    // Alone, the sum across processes is this process's.
    tg::Tensor t = tg::from_vector(std::vector<double>{1.5, -2}, {2});
    bn.synchronization()->all_reduce_sum(t);
    CHECK(t.to_vector<double>() == std::vector<double>{1.5, -2});
  }
  // The layer outlives the environment: its next training forward is an error, not a crash.
  CHECK_ERROR(bn(tg::randn({4, 3})), "synchronized BatchNorm (tg::dist::MpiSumAcrossProcesses): MPI is not "
                                     "initialized (or already finalized)");
  // Eval needs no communication.
  bn.eval();
  CHECK(bn(tg::randn({4, 3})).shape() == tg::Shape{4, 3});
}
