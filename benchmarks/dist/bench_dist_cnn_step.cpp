// The `cnn` training step (nn::make_model("cnn"), batch 64 of 1x28x28 per rank, as
// benchmarks/bench_cnn_step.cpp; cross-entropy, SGD momentum 0.9) on the ranks of the job:
//   cnn_step_local/width:w    the step without communication (each rank alone);
//   cnn_step_local_barrier    the same followed by an MPI_Barrier: no data moves, but every
//                             step waits for the slowest rank, as a DataParallel step does;
//   cnn_step_ddp/bucket_kb:k  the step with DataParallel (buckets of k KB): hooks start the
//                             all-reduces during backward, synchronize() before the step
//                             (its time per step: seconds_in_synchronize);
//   cnn_allreduce_alone/bucket_kb:k
//                             synchronize() with nothing else running: the same buckets'
//                             all-reduces (copies in, MPI_Iallreduce, waits, mean out);
//   cnn_allreduce_mpi         one MPI_Allreduce of all the gradient bytes, the reference.
// The fraction of the all-reduce hidden behind backward is
//   1 - (t_ddp - t_local) / t_allreduce_alone            (scripts/bench_dist.sh),
// with t_local either local step (the barrier's takes out the waiting for the slower rank).
// Each benchmark warms up with a few steps, then runs a fixed count on every rank.
#include <mpi.h>

#include "cnn_step.hpp"

namespace {

using tg::bench::dist_bench::CnnStep;
using tg::bench::dist_bench::kWarmup;

void report_steps(benchmark::State& state, const CnnStep& cnn) {
  state.counters["seconds_per_step"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["params"] = static_cast<double>(cnn.parameter_count());
}

template <bool barrier>
void cnn_step_local(benchmark::State& state) {
  CnnStep cnn(state.range(0));
  for (int i = 0; i < kWarmup; ++i) cnn.run(nullptr);
  tg::dist::barrier();
  for (auto _ : state) {
    cnn.run(nullptr);
    if (barrier) tg::dist::barrier();
  }
  report_steps(state, cnn);
}

tg::dist::DataParallelOptions buckets_of(std::int64_t kb) { return {.bucket_bytes = static_cast<std::size_t>(kb) << 10}; }

void cnn_step_ddp(benchmark::State& state) {
  CnnStep cnn(1);
  tg::dist::DataParallel ddp(cnn.model, buckets_of(state.range(0)));
  for (int i = 0; i < kWarmup; ++i) cnn.run(&ddp);
  tg::dist::barrier();
  double waited = 0;
  for (auto _ : state) cnn.run(&ddp, &waited);
  report_steps(state, cnn);
  state.counters["buckets"] = static_cast<double>(ddp.num_buckets());
  state.counters["seconds_in_synchronize"] = waited / static_cast<double>(state.iterations());
}

void cnn_allreduce_alone(benchmark::State& state) {
  CnnStep cnn(1);
  tg::dist::DataParallel ddp(cnn.model, buckets_of(state.range(0)));
  for (int i = 0; i < kWarmup; ++i) cnn.run(&ddp);  // leaves every parameter a .grad()
  tg::dist::barrier();
  for (auto _ : state) ddp.synchronize();
  report_steps(state, cnn);
  state.counters["buckets"] = static_cast<double>(ddp.num_buckets());
}

void cnn_allreduce_mpi(benchmark::State& state) {
  CnnStep cnn(1);
  tg::Tensor flat = tg::zeros({cnn.parameter_count()});
  for (int i = 0; i < kWarmup; ++i)
    MPI_Allreduce(MPI_IN_PLACE, flat.raw_data(), static_cast<int>(flat.numel()), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
  tg::dist::barrier();
  for (auto _ : state)
    MPI_Allreduce(MPI_IN_PLACE, flat.raw_data(), static_cast<int>(flat.numel()), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
  report_steps(state, cnn);
}

constexpr int kSteps = 30;

// Buckets of 25 MB (the default: the whole cnn is one bucket) and of 1 MB (two buckets:
// the classifier's gradients go while the convolutions' backward runs).
void bucket_sizes(benchmark::internal::Benchmark* b) {
  b->ArgName("bucket_kb")->Arg(25600)->Arg(1024)->Iterations(kSteps)->Unit(benchmark::kMillisecond)->UseRealTime();
}

BENCHMARK_TEMPLATE(cnn_step_local, false)->Name("cnn_step_local")->ArgName("width")->Arg(1)->Iterations(kSteps)
    ->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(cnn_step_local, true)->Name("cnn_step_local_barrier")->ArgName("width")->Arg(1)->Iterations(kSteps)
    ->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(cnn_step_ddp)->Apply(bucket_sizes);
BENCHMARK(cnn_allreduce_alone)->Apply(bucket_sizes);
BENCHMARK(cnn_allreduce_mpi)->Iterations(kSteps)->Unit(benchmark::kMillisecond)->UseRealTime();
// A bigger model for the projection in docs/distributed.md: width 5, about 10.5 M
// parameters (ResNet-18 has 11.7 M). Its compute per step only; few steps, it is slow.
BENCHMARK_TEMPLATE(cnn_step_local, false)->Name("cnn_step_local")->ArgName("width")->Arg(5)->Iterations(5)
    ->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
