#pragma once
// Collectives across the processes of an MPI job (Open MPI; docs/distributed.md):
// the process group is MPI_COMM_WORLD, each process a rank 0 .. size-1.
//
//   int main(int argc, char** argv) {
//     tg::dist::Environment mpi(argc, argv);   // MPI_Init ... MPI_Finalize
//     tg::Tensor g = ...;
//     tg::dist::all_reduce(g, tg::dist::ReduceOp::mean);   // in place, every rank
//   }
//
// Every MPI failure is a tg::Error carrying MPI's own error string: the communicator
// uses MPI_ERRORS_RETURN, never MPI's default handler that aborts the whole job.
// Tensors passed to a collective are contiguous f32 or f64 (the same shape and dtype on
// every rank: MPI cannot check that, so a mismatch is undefined, as in MPI).
#include "tapegrad/tensor.hpp"

namespace tg::dist {

// Initializes MPI (thread level MPI_THREAD_FUNNELED: only the thread that created the
// Environment calls MPI) unless it is initialized already, and finalizes what it
// initialized. One per process; a second while one lives is an error.
class Environment {
 public:
  Environment();  // without the program's arguments
  Environment(int& argc, char**& argv);
  ~Environment();
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;

 private:
  bool owns_ = false;
};

// Whether MPI is initialized and not yet finalized (collectives need it).
bool is_initialized();
int rank();
int size();
void barrier();

// A rank of the job has died or hangs (a timeout said so, or a peer reported it): the
// Environment then ends without MPI_Finalize, which would wait for that rank forever.
// Bounded waits note it themselves when they time out; note_rank_lost(false) withdraws
// the note (the late rank did answer in the end).
void note_rank_lost(bool lost = true);
bool rank_lost_noted();

// How long a rank waits for the others in a collective (here and in DataParallel)
// before it gives up with a tg::Error naming the collective: a rank that died or hangs
// must not hang the others forever. Default 300 s; 0 (or less): no limit. Under mpirun a
// rank that dies usually ends the whole job at once; the limit is for the rest (a hung
// rank, a launcher that keeps the job, mpirun --enable-recovery).
void set_timeout(double seconds);
double timeout();

enum class ReduceOp { sum, mean };

// Every rank's tensor becomes the elementwise sum (or mean) over the ranks, in place.
// Bumps the tensor's version (it is an in-place write).
void all_reduce(Tensor& t, ReduceOp op = ReduceOp::sum);
// Every rank's tensor becomes root's, in place.
void broadcast(Tensor& t, int root = 0);

}  // namespace tg::dist
