// One optimizer step over 10M f32 parameters (one tensor): the fused update is one pass
// over memory, so its ceiling is the machine's bandwidth. Counters: ms per step and GB/s
// counting the floats each step must move per parameter (sgd 3: read x, dx, write x;
// momentum 5: + read/write v; adam 7: + read/write m and v), the convention of
// ../shared/bench/torch_reference.py. Compare with the STREAM triad of the same machine
// and PyTorch's Adam, run back to back.
// Caveat: this machine's L3 is large (getconf LEVEL3_CACHE_SIZE: 508 MiB), so the 10M
// steps (120 MB for sgd, 280 MB for adam) can run largely from L3 and beat the STREAM
// triad, whose arrays are 3 x 256 MB. The /64M cases use STREAM's array size (64M floats
// per array: 1 GiB of adam state) and measure the DRAM-bound step.
#include <benchmark/benchmark.h>

#include <chrono>
#include <optional>
#include <tapegrad/optim/optim.hpp>
#include <tapegrad/tapegrad.hpp>

#include "bench_util.hpp"

namespace {

// threads = 0: the default thread count (both cores).
void optim_step(benchmark::State& state, const char* name, int floats_per_param, int threads, std::int64_t params) {
  std::optional<tg::bench::ThreadCountGuard> thread_count;
  if (threads > 0) thread_count.emplace(threads);
  tg::Generator gen(0);
  tg::Tensor x = tg::randn({params}, tg::f32, &gen).requires_grad_();
  x.set_grad(tg::randn({params}, tg::f32, &gen));
  auto opt = tg::optim::create(name, {x}, {{"lr", 1e-3}});
  opt->step();  // allocates and first-touches the state
  double seconds = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    opt->step();
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  benchmark::DoNotOptimize(x.raw_data());
  // Wall-clock per step (the CPU time of one thread undercounts a threaded step).
  const double per_step = seconds / static_cast<double>(state.iterations());
  state.counters["ms"] = per_step * 1e3;
  state.counters["GB/s"] = static_cast<double>(floats_per_param) * sizeof(float) * params / per_step * 1e-9;
}

}  // namespace

constexpr std::int64_t k10M = 10'000'000, k64M = 64 * 1024 * 1024;

BENCHMARK_CAPTURE(optim_step, sgd, "sgd", 3, 0, k10M)->Name("optim_step/sgd/10M")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(optim_step, momentum, "momentum", 5, 0, k10M)
    ->Name("optim_step/momentum/10M")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(optim_step, adam, "adam", 7, 0, k10M)->Name("optim_step/adam/10M")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(optim_step, sgd_1, "sgd", 3, 1, k10M)
    ->Name("optim_step/sgd/10M/threads:1")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(optim_step, momentum_1, "momentum", 5, 1, k10M)
    ->Name("optim_step/momentum/10M/threads:1")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(optim_step, adam_1, "adam", 7, 1, k10M)
    ->Name("optim_step/adam/10M/threads:1")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(optim_step, sgd_64M, "sgd", 3, 0, k64M)->Name("optim_step/sgd/64M")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(optim_step, adam_64M, "adam", 7, 0, k64M)->Name("optim_step/adam/64M")->Unit(benchmark::kMillisecond);
