// All-reduce bandwidth on the ranks of the job, f32, 1 to 64 MB (range(0), in MB):
//   allreduce_mpi      MPI_Allreduce(MPI_IN_PLACE, ..., MPI_SUM) on a tensor's memory, the reference;
//   allreduce_mpi_nonblocking, allreduce_mpi_nonblocking_two_buffers
//                      MPI_Iallreduce then MPI_Wait, the same bytes, in place and not;
//   allreduce_tg_sum   tg::dist::all_reduce(t, sum);
//   allreduce_tg_mean  tg::dist::all_reduce(t, mean);
//   allreduce_ddp      DataParallel::synchronize() of one parameter that fills one bucket of
//                      the same bytes: the copy into the bucket, MPI_Iallreduce started as
//                      the gradient hooks start it, MPI_Wait, and .grad() set to the mean;
//   backward_ddp / backward_local
//                      backward of sum(w) through the hook, then synchronize(); and the same
//                      backward alone: the difference is the hook path's communication.
// Every iteration moves 64 MB (64/size calls), with a fixed iteration count on every
// rank. bytes_per_second is the buffer's bytes per call time (the algorithm bandwidth),
// seconds_per_call the time of one call;
// scripts/bench_dist.sh divides each by allreduce_mpi's.
#include <mpi.h>

#include "dist_bench.hpp"

namespace {

using tg::bench::dist_bench::bytes_of_mb;
using tg::bench::dist_bench::calls_per_iteration;
using tg::bench::dist_bench::finish_collective_benchmark;
using tg::bench::dist_bench::FlatParameter;

void allreduce_mpi(benchmark::State& state) {
  const std::int64_t n = bytes_of_mb(state.range(0)) / 4;
  tg::Tensor t = tg::zeros({n});
  const int calls = calls_per_iteration(state.range(0));
  tg::dist::barrier();
  for (auto _ : state)
    for (int c = 0; c < calls; ++c)
      MPI_Allreduce(MPI_IN_PLACE, t.raw_data(), static_cast<int>(n), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
  finish_collective_benchmark(state);
}

// The same started non-blocking and waited for (MPI_Iallreduce + MPI_Wait), in place or
// from one buffer into another as DataParallel's buckets are: Open MPI runs these through
// another component (libnbc), whose choice of algorithm depends on it.
template <bool in_place>
void allreduce_mpi_nonblocking(benchmark::State& state) {
  const std::int64_t n = bytes_of_mb(state.range(0)) / 4;
  tg::Tensor t = tg::zeros({n}), result = tg::zeros({n});
  const int calls = calls_per_iteration(state.range(0));
  tg::dist::barrier();
  for (auto _ : state) {
    for (int c = 0; c < calls; ++c) {
      MPI_Request request;
      MPI_Iallreduce(in_place ? MPI_IN_PLACE : t.raw_data(), in_place ? t.raw_data() : result.raw_data(),
                     static_cast<int>(n), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD, &request);
      MPI_Wait(&request, MPI_STATUS_IGNORE);
    }
  }
  finish_collective_benchmark(state);
}

template <tg::dist::ReduceOp op>
void allreduce_tg(benchmark::State& state) {
  tg::Tensor t = tg::zeros({bytes_of_mb(state.range(0)) / 4});
  const int calls = calls_per_iteration(state.range(0));
  tg::dist::barrier();
  for (auto _ : state)
    for (int c = 0; c < calls; ++c) tg::dist::all_reduce(t, op);
  finish_collective_benchmark(state);
}

void allreduce_ddp(benchmark::State& state) {
  const std::int64_t bytes = bytes_of_mb(state.range(0));
  auto flat = std::make_shared<FlatParameter>(bytes / 4);
  tg::dist::DataParallel ddp(flat, {.bucket_bytes = static_cast<std::size_t>(bytes)});
  flat->w.set_grad(tg::zeros({bytes / 4}));
  const int calls = calls_per_iteration(state.range(0));
  tg::dist::barrier();
  for (auto _ : state)
    for (int c = 0; c < calls; ++c) ddp.synchronize();
  finish_collective_benchmark(state);
  state.counters["buckets"] = static_cast<double>(ddp.num_buckets());
}

template <bool with_ddp>
void backward_sum(benchmark::State& state) {
  const std::int64_t bytes = bytes_of_mb(state.range(0));
  auto flat = std::make_shared<FlatParameter>(bytes / 4);
  std::unique_ptr<tg::dist::DataParallel> ddp;
  if (with_ddp) ddp = std::make_unique<tg::dist::DataParallel>(flat, tg::dist::DataParallelOptions{.bucket_bytes = static_cast<std::size_t>(bytes)});
  const int calls = calls_per_iteration(state.range(0));
  tg::dist::barrier();
  for (auto _ : state) {
    for (int c = 0; c < calls; ++c) {
      flat->w.set_grad({});
      if (ddp) ddp->prepare_for_backward();  // the hook starts the all-reduce
      tg::sum(flat->w).backward();
      if (ddp) ddp->synchronize();
    }
  }
  finish_collective_benchmark(state);
}

void sizes(benchmark::internal::Benchmark* b) {
  b->ArgName("MB")->Arg(1)->Arg(4)->Arg(16)->Arg(64)->Iterations(5)->Unit(benchmark::kMillisecond)->UseRealTime();
}

BENCHMARK(allreduce_mpi)->Apply(sizes);
BENCHMARK_TEMPLATE(allreduce_mpi_nonblocking, true)->Name("allreduce_mpi_nonblocking")->Apply(sizes);
BENCHMARK_TEMPLATE(allreduce_mpi_nonblocking, false)->Name("allreduce_mpi_nonblocking_two_buffers")->Apply(sizes);
BENCHMARK_TEMPLATE(allreduce_tg, tg::dist::ReduceOp::sum)->Name("allreduce_tg_sum")->Apply(sizes);
BENCHMARK_TEMPLATE(allreduce_tg, tg::dist::ReduceOp::mean)->Name("allreduce_tg_mean")->Apply(sizes);
BENCHMARK(allreduce_ddp)->Apply(sizes);
BENCHMARK_TEMPLATE(backward_sum, true)->Name("backward_ddp")->Apply(sizes);
BENCHMARK_TEMPLATE(backward_sum, false)->Name("backward_local")->Apply(sizes);

}  // namespace
