// The dist benchmarks' main: every rank of `mpirun -np N` runs the same benchmarks in the
// same order (each with a fixed iteration count: Google Benchmark's adaptive count would
// differ between ranks, and a collective that one rank skips waits forever). Rank 0
// reports; the other ranks get a reporter that prints nothing and no output file.
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>
#include <vector>

#include <tapegrad/dist/collectives.hpp>
#include <tapegrad/parallel.hpp>

namespace {

class SilentReporter : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>&) override {}
};

}  // namespace

int main(int argc, char** argv) {
  tg::dist::Environment mpi(argc, argv);
  const int rank = tg::dist::rank();
  // Only rank 0 writes --benchmark_out.
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i)
    if (rank == 0 || std::strncmp(argv[i], "--benchmark_out", 15) != 0) args.push_back(argv[i]);
  int count = static_cast<int>(args.size());
  benchmark::Initialize(&count, args.data());
  if (benchmark::ReportUnrecognizedArguments(count, args.data())) return 1;
  benchmark::AddCustomContext("mpi_ranks", std::to_string(tg::dist::size()));
  benchmark::AddCustomContext("tapegrad_threads", tg::describe_num_threads());
  if (rank == 0) {
    benchmark::RunSpecifiedBenchmarks();
  } else {
    SilentReporter silent;
    benchmark::RunSpecifiedBenchmarks(&silent);
  }
  benchmark::Shutdown();
  tg::dist::barrier();
  return 0;
}
