#include <cstdlib>

#include <tapegrad/error.hpp>
#include <tapegrad/train/search/mpi_search.hpp>

namespace tg::train::search {

namespace {

[[noreturn]] void fail_without_mpi() {
  fail("search --mpi: tapegrad was built without MPI (install openmpi-bin and libopenmpi-dev, and configure with "
       "-DTAPEGRAD_MPI=ON)");
}

}  // namespace

struct MpiExecutor::Impl {};

MpiExecutor::MpiExecutor(const nlohmann::json&, MpiSearchOptions, std::function<void(const std::string&)>) {
  fail_without_mpi();
}
MpiExecutor::~MpiExecutor() = default;
void MpiExecutor::run(const std::vector<TrialSpec>&, const std::function<void(const TrialResult&)>&) {
  fail_without_mpi();
}

int serve_trials_mpi(const std::function<TrialFunction(const nlohmann::json&)>&, MpiSearchOptions) {
  fail_without_mpi();
}

void abort_distributed_search(int exit_code) { std::_Exit(exit_code); }

}  // namespace tg::train::search
