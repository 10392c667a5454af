// The dist tests' main: every rank of `mpirun -np N` runs the same doctest cases inside
// one MPI environment, and the job passes when every rank passes (a failing rank exits
// non-zero, which makes mpirun fail).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <tapegrad/dist/collectives.hpp>

int main(int argc, char** argv) {
  tg::dist::Environment mpi(argc, argv);
  doctest::Context context(argc, argv);
  if (tg::dist::rank() != 0) context.setOption("out", "/dev/null");  // one report, rank 0's
  const int failed = context.run();
  tg::dist::barrier();
  return failed;
}
