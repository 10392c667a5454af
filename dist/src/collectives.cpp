#include "tapegrad/dist/collectives.hpp"

#include <mpi.h>

#include <atomic>
#include <cstdlib>
#include <limits>
#include <string>

#include "mpi_support.hpp"
#include "tapegrad/error.hpp"

namespace tg::dist {

namespace {

std::atomic<bool> environment_alive{false};
std::atomic<bool> rank_lost{false};

using detail::check;
using detail::mpi_error_string;
using detail::require_initialized;
using detail::wait_for;

void require_collective_tensor(const char* what, const Tensor& t) {
  TG_CHECK(t.defined(), "{}: the tensor is undefined", what);
  TG_CHECK(t.dtype() == f32 || t.dtype() == f64, "{}: expected an f32 or f64 tensor, got {}", what,
           dtype_name(t.dtype()));
  TG_CHECK(t.is_contiguous(), "{}: expected a contiguous tensor, got shape {} with strides that are not; call "
           ".contiguous() and copy back", what, t.shape().str());
  TG_CHECK(t.numel() <= std::numeric_limits<int>::max(),
           "{}: {} elements do not fit one MPI call (at most {})", what, t.numel(), std::numeric_limits<int>::max());
}

MPI_Datatype mpi_type(DType dtype) { return dtype == f32 ? MPI_FLOAT : MPI_DOUBLE; }

template <class T>
void scale_in_place(T* x, int count, T factor) {
#pragma omp simd
  for (int i = 0; i < count; ++i) x[i] *= factor;
}

void start(int* argc, char*** argv, bool& owns) {
  TG_CHECK(!environment_alive.exchange(true), "tg::dist::Environment: one already exists in this process");
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    // Open MPI 4.1's libnbc runs MPI_Iallreduce (which every collective here uses, to
    // bound its wait) in place, or under 4 ranks, as a binomial tree: the whole buffer to
    // rank 0 and back, at about half MPI_Allreduce's speed (docs/distributed.md, Measured
    // scaling). Its ring moves 2 (p-1)/p of the buffer per rank, as fast as
    // MPI_Allreduce. Unless the user chose an algorithm, the ring it is.
    setenv("OMPI_MCA_coll_libnbc_iallreduce_algorithm", "1", /*overwrite=*/0);
    int provided = 0;
    const int code = MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
    if (code != MPI_SUCCESS) {
      environment_alive = false;
      fail("tg::dist::Environment: MPI_Init_thread failed: {}", mpi_error_string(code));
    }
    owns = true;
  }
  // Failures come back as codes, which become tg::Error, instead of aborting the job.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}

}  // namespace

Environment::Environment() { start(nullptr, nullptr, owns_); }
Environment::Environment(int& argc, char**& argv) { start(&argc, &argv, owns_); }

Environment::~Environment() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  // MPI_Finalize waits for every rank of the job, a dead one too (forever, under
  // mpirun --enable-recovery): after a lost rank the process ends without it.
  if (owns_ && !finalized && !rank_lost) MPI_Finalize();
  environment_alive = false;
}

void note_rank_lost(bool lost) { rank_lost = lost; }
bool rank_lost_noted() { return rank_lost; }

bool is_initialized() {
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  return initialized && !finalized;
}

int rank() {
  require_initialized("tg::dist::rank");
  int r = 0;
  check("tg::dist::rank", MPI_Comm_rank(MPI_COMM_WORLD, &r));
  return r;
}

int size() {
  require_initialized("tg::dist::size");
  int n = 0;
  check("tg::dist::size", MPI_Comm_size(MPI_COMM_WORLD, &n));
  return n;
}

void barrier() {
  require_initialized("tg::dist::barrier");
  MPI_Request request = MPI_REQUEST_NULL;
  check("tg::dist::barrier", MPI_Ibarrier(MPI_COMM_WORLD, &request));
  wait_for(request, "tg::dist::barrier");
}

void all_reduce(Tensor& t, ReduceOp op) {
  require_initialized("tg::dist::all_reduce");
  require_collective_tensor("tg::dist::all_reduce", t);
  TG_CHECK(op == ReduceOp::sum || op == ReduceOp::mean, "tg::dist::all_reduce: unknown ReduceOp {}",
           static_cast<int>(op));
  const int count = static_cast<int>(t.numel());
  if (count > 0) {
    MPI_Request request = MPI_REQUEST_NULL;
    check("tg::dist::all_reduce",
          MPI_Iallreduce(MPI_IN_PLACE, t.raw_data(), count, mpi_type(t.dtype()), MPI_SUM, MPI_COMM_WORLD, &request));
    wait_for(request, "tg::dist::all_reduce");
  } else {
    barrier();  // every rank still takes part in the collective
  }
  if (op == ReduceOp::mean && count > 0) {
    const int n = size();
    if (t.dtype() == f32) {
      scale_in_place(t.data<float>(), count, 1.0f / static_cast<float>(n));
    } else {
      scale_in_place(t.data<double>(), count, 1.0 / n);
    }
  }
  t.bump_version();
}

void broadcast(Tensor& t, int root) {
  require_initialized("tg::dist::broadcast");
  require_collective_tensor("tg::dist::broadcast", t);
  const int count = static_cast<int>(t.numel());
  MPI_Request request = MPI_REQUEST_NULL;
  check("tg::dist::broadcast", MPI_Ibcast(t.raw_data(), count, mpi_type(t.dtype()), root, MPI_COMM_WORLD, &request));
  wait_for(request, "tg::dist::broadcast");
  t.bump_version();
}

}  // namespace tg::dist
