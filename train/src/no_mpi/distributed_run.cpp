#include "distributed_run.hpp"

#include <tapegrad/error.hpp>

namespace tg::train::detail {

std::unique_ptr<DistributedRun> start_distributed_run(const nn::ModulePtr&, bool) {
  fail("train: a distributed run needs MPI, and tapegrad was built without it (install openmpi-bin and "
       "libopenmpi-dev, and configure with -DTAPEGRAD_MPI=ON)");
}

}  // namespace tg::train::detail
