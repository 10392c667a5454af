// Elementwise f32 forward (no grad) around the oneDNN dispatch threshold
// (kEltwiseMinElements = 4096 in ops/kernels/eltwise.hpp: below it a plain
// loop runs, from it on oneDNN). Compare items/s just below and just above it.
#include <benchmark/benchmark.h>

#include <tapegrad/tapegrad.hpp>

#include "bench_util.hpp"

namespace {

void report_throughput(benchmark::State& state, std::int64_t n, int tensors_touched) {
  state.SetItemsProcessed(state.iterations() * n);
  state.SetBytesProcessed(state.iterations() * n * tensors_touched * static_cast<std::int64_t>(sizeof(float)));
}

void add_f32(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  tg::bench::ThreadCountGuard threads(static_cast<int>(state.range(1)));
  tg::NoGradGuard no_grad;
  tg::Generator gen(0);
  const tg::Tensor a = tg::randn({n}, tg::f32, &gen);
  const tg::Tensor b = tg::randn({n}, tg::f32, &gen);
  for (auto _ : state) {
    const tg::Tensor c = a + b;
    benchmark::DoNotOptimize(c.raw_data());
  }
  report_throughput(state, n, 3);  // two reads, one write
}

void exp_f32(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  tg::bench::ThreadCountGuard threads(static_cast<int>(state.range(1)));
  tg::NoGradGuard no_grad;
  tg::Generator gen(0);
  const tg::Tensor a = tg::randn({n}, tg::f32, &gen);
  for (auto _ : state) {
    const tg::Tensor c = tg::exp(a);
    benchmark::DoNotOptimize(c.raw_data());
  }
  report_throughput(state, n, 2);  // one read, one write
}

// 4000 and 4095 run the plain loop, 4096 and 4100 oneDNN.
const std::vector<std::int64_t> kSizes = {1 << 10, 4000, 4095, 4096, 4100, 1 << 14, 1 << 20};

}  // namespace

BENCHMARK(add_f32)->Name("add_f32")->ArgsProduct({kSizes, {1, 2}})->ArgNames({"n", "threads"})->UseRealTime();
BENCHMARK(exp_f32)->Name("exp_f32")->ArgsProduct({kSizes, {1, 2}})->ArgNames({"n", "threads"})->UseRealTime();
