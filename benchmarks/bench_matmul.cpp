// Matmul at a Fashion-MNIST first-layer shape: batch 128, 784 inputs, 256 units.
#include <benchmark/benchmark.h>

#include <tapegrad/tapegrad.hpp>

#include "bench_util.hpp"

namespace {

constexpr std::int64_t kM = 128, kK = 784, kN = 256;
constexpr double kFlopsPerMatmul = 2.0 * kM * kK * kN;

// GFLOPs as a rate: the console shows it as "<n>/s", n in GFLOP/s.
void report_gflops(benchmark::State& state, int matmuls_per_iteration) {
  state.counters["GFLOPs"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * matmuls_per_iteration * kFlopsPerMatmul * 1e-9,
      benchmark::Counter::kIsRate);
}

tg::Tensor parameter(const tg::Shape& shape, tg::Generator& gen) {
  tg::Tensor t = tg::randn(shape, tg::f32, &gen);
  t.requires_grad_();
  return t;
}

// Forward c = a b, backward dA = g b^T and dB = a^T g: three matmuls.
void matmul_fwd_bwd(benchmark::State& state) {
  tg::bench::ThreadCountGuard threads(static_cast<int>(state.range(0)));
  tg::Generator gen(0);
  tg::Tensor a = parameter({kM, kK}, gen);
  tg::Tensor b = parameter({kK, kN}, gen);
  const tg::Tensor g = tg::ones({kM, kN});
  for (auto _ : state) {
    a.set_grad(tg::Tensor{});
    b.set_grad(tg::Tensor{});
    const tg::Tensor c = tg::matmul(a, b);
    c.backward(g);
  }
  benchmark::DoNotOptimize(a.grad().raw_data());
  report_gflops(state, 3);
}

void matmul_fwd(benchmark::State& state) {
  tg::bench::ThreadCountGuard threads(static_cast<int>(state.range(0)));
  tg::NoGradGuard no_grad;
  tg::Generator gen(0);
  const tg::Tensor a = tg::randn({kM, kK}, tg::f32, &gen);
  const tg::Tensor b = tg::randn({kK, kN}, tg::f32, &gen);
  for (auto _ : state) {
    const tg::Tensor c = tg::matmul(a, b);
    benchmark::DoNotOptimize(c.raw_data());
  }
  report_gflops(state, 1);
}

}  // namespace

// Real time: with two threads the main thread's CPU time undercounts.
// Caveat: the backend's primitive cache is keyed by shapes, not by thread count, and
// oneDNN's matmul fixes its thread count when the primitive is created; so the
// threads:2 runs reuse the threads:1 primitives and measure one thread. Until the key
// includes the thread count, run each count in its own process:
//   tapegrad_bench --benchmark_filter='matmul.*threads:2'
BENCHMARK(matmul_fwd_bwd)->Name("matmul_fwd_bwd/128x784x256")->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime();
BENCHMARK(matmul_fwd)->Name("matmul_fwd/128x784x256")->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime();
