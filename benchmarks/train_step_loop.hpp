#pragma once
// The timed loop shared by the training-step benchmarks: range(0) is the thread count
// (0: the adaptive default), range(1) a tg::bench::Load. Reports steps/s, GFLOP/s and
// the percentage of this machine's FMA peak (machine_peak.hpp) for the threads used.
#include <benchmark/benchmark.h>
#include <sched.h>

#include <chrono>

#include <tapegrad/optim/optim.hpp>
#include <tapegrad/tapegrad.hpp>

#include "bench_util.hpp"
#include "competing_load.hpp"
#include "machine_peak.hpp"

namespace tg::bench {

inline void apply_thread_and_load_args(benchmark::internal::Benchmark* b) {
  b->ArgNames({"threads", "load"})->ArgsProduct({{1, 2, 0}, {0, 1, 2}});
}

// The CPUs this process may run on: the most the adaptive default uses.
inline int allowed_cpus() {
  cpu_set_t set;
  return sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
}

// flops_per_step: 0 leaves out the GFLOP/s and peak counters.
template <class MakeLoss>
void run_train_steps(benchmark::State& state, optim::Optimizer& optimizer, MakeLoss make_loss,
                     double flops_per_step = 0) {
  const int threads_arg = static_cast<int>(state.range(0));
  const double peak = flops_per_step > 0 ? fma_peak_per_thread().gflops : 0;  // measured before the load starts
  ThreadCountGuard threads(threads_arg);
  const auto load = static_cast<Load>(state.range(1));
  state.SetLabel(load_name(load));
  CompetingLoad competitor(load);
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    optimizer.zero_grad();
    Tensor loss = make_loss();
    loss.backward();
    optimizer.step();
    benchmark::DoNotOptimize(loss.raw_data());
  }
  // Timed here rather than as rate counters, which the console prints with a "/s"
  // suffix that a percentage does not have.
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double steps_per_s = static_cast<double>(state.iterations()) / seconds;
  state.counters["steps_per_s"] = steps_per_s;
  if (flops_per_step <= 0) return;
  const double gflops = steps_per_s * flops_per_step / 1e9;
  state.counters["GFLOP_per_s"] = gflops;
  state.counters["pct_of_peak"] = 100 * gflops / (peak * (threads_arg > 0 ? threads_arg : allowed_cpus()));
}

}  // namespace tg::bench
