// Tape overhead: a chain of 1000 elementwise ops on a one-element tensor, so the time
// is the per-op bookkeeping (node recording, shape checks, dispatch), not arithmetic.
// DESIGN.md asks for tens of nanoseconds per op.
#include <benchmark/benchmark.h>

#include <chrono>
#include <tapegrad/tapegrad.hpp>

#include "bench_util.hpp"

namespace {

constexpr int kOpsPerChain = 1000;

tg::Tensor chain(tg::Tensor x) {
  for (int i = 0; i < kOpsPerChain / 2; ++i) {
    x = x * 1.0001f;
    x = x + 0.0001;
  }
  return x;
}

// Runs body once per iteration and reports ns_per_op: wall time of the whole loop per
// op, in nanoseconds (about Time / 1000). Measured here rather than as an inverted
// rate counter, which the console would print with a misleading "s" suffix.
template <class Body>
void run_chains(benchmark::State& state, Body body) {
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) body();
  const double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
  state.counters["ns_per_op"] = ns / (static_cast<double>(state.iterations()) * kOpsPerChain);
}

tg::Tensor leaf() {
  tg::Tensor x0 = tg::ones({1});
  x0.requires_grad_();
  return x0;
}

void tape_overhead(benchmark::State& state) {
  tg::bench::ThreadCountGuard threads(1);
  tg::Tensor x0 = leaf();
  run_chains(state, [&] {
    x0.set_grad(tg::Tensor{});
    const tg::Tensor x = chain(x0);
    x.backward();
  });
  benchmark::DoNotOptimize(x0.grad().item());
}

void tape_overhead_forward_only(benchmark::State& state) {
  tg::bench::ThreadCountGuard threads(1);
  const tg::Tensor x0 = leaf();
  run_chains(state, [&] {
    const tg::Tensor x = chain(x0);  // recorded, then the graph is dropped
    benchmark::DoNotOptimize(x.unsafe_impl());
  });
}

void tape_overhead_no_grad(benchmark::State& state) {
  tg::bench::ThreadCountGuard threads(1);
  tg::NoGradGuard no_grad;
  const tg::Tensor x0 = leaf();
  run_chains(state, [&] {
    const tg::Tensor x = chain(x0);
    benchmark::DoNotOptimize(x.unsafe_impl());
  });
}

}  // namespace

BENCHMARK(tape_overhead)->Name("tape_overhead");
BENCHMARK(tape_overhead_forward_only)->Name("tape_overhead/forward_only");
BENCHMARK(tape_overhead_no_grad)->Name("tape_overhead/no_grad");
