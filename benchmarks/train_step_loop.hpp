#pragma once
// The timed loop shared by the training-step benchmarks: range(0) is the thread count
// (0: the adaptive default), range(1) a tg::bench::Load; reports steps/s.
#include <benchmark/benchmark.h>

#include <tapegrad/optim/optim.hpp>
#include <tapegrad/tapegrad.hpp>

#include "bench_util.hpp"
#include "competing_load.hpp"

namespace tg::bench {

inline void apply_thread_and_load_args(benchmark::internal::Benchmark* b) {
  b->ArgNames({"threads", "load"})->ArgsProduct({{1, 2, 0}, {0, 1, 2}});
}

template <class MakeLoss>
void run_train_steps(benchmark::State& state, optim::Optimizer& optimizer, MakeLoss make_loss) {
  ThreadCountGuard threads(static_cast<int>(state.range(0)));
  const auto load = static_cast<Load>(state.range(1));
  state.SetLabel(load_name(load));
  CompetingLoad competitor(load);
  for (auto _ : state) {
    optimizer.zero_grad();
    Tensor loss = make_loss();
    loss.backward();
    optimizer.step();
    benchmark::DoNotOptimize(loss.raw_data());
  }
  state.counters["steps_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

}  // namespace tg::bench
