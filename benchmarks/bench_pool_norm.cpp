// Pooling and batch normalization, forward + backward at CNN layer shapes (batch 64,
// Fashion-MNIST-sized feature maps), f32 on oneDNN. Throughput as input elements per
// second and as GB/s of the minimal memory traffic (each tensor read or written once).
#include <benchmark/benchmark.h>

#include <tapegrad/ops/normalization.hpp>
#include <tapegrad/ops/pooling.hpp>
#include <tapegrad/tapegrad.hpp>

#include "bench_util.hpp"

namespace {

void report(benchmark::State& state, std::int64_t input_elements, double bytes_per_iteration) {
  state.SetItemsProcessed(state.iterations() * input_elements);
  state.counters["GB/s"] = benchmark::Counter(static_cast<double>(state.iterations()) * bytes_per_iteration * 1e-9,
                                              benchmark::Counter::kIsRate);
}

tg::Tensor input(const tg::Shape& shape) {
  tg::Generator gen(0);
  tg::Tensor x = tg::randn(shape, tg::f32, &gen);
  x.requires_grad_();
  return x;
}

// Forward reads x, writes y; backward reads dy, writes dx (4 bytes each).
void max_pool2d_fwd_bwd(benchmark::State& state) {
  tg::bench::ThreadCountGuard threads(static_cast<int>(state.range(0)));
  tg::Tensor x = input({64, 32, 28, 28});
  const tg::Tensor g = tg::ones({64, 32, 14, 14});
  for (auto _ : state) {
    x.set_grad(tg::Tensor{});
    tg::max_pool2d(x, 2).backward(g);
  }
  benchmark::DoNotOptimize(x.grad().raw_data());
  report(state, x.numel(), 4.0 * 2 * static_cast<double>(x.numel() + g.numel()));
}

void avg_pool2d_fwd_bwd(benchmark::State& state) {
  tg::bench::ThreadCountGuard threads(static_cast<int>(state.range(0)));
  tg::Tensor x = input({64, 32, 28, 28});
  const tg::Tensor g = tg::ones({64, 32, 14, 14});
  for (auto _ : state) {
    x.set_grad(tg::Tensor{});
    tg::avg_pool2d(x, 2).backward(g);
  }
  benchmark::DoNotOptimize(x.grad().raw_data());
  report(state, x.numel(), 4.0 * 2 * static_cast<double>(x.numel() + g.numel()));
}

void fractional_max_pool2d_fwd_bwd(benchmark::State& state) {
  tg::bench::ThreadCountGuard threads(static_cast<int>(state.range(0)));
  tg::Tensor x = input({64, 32, 28, 28});
  const tg::Tensor g = tg::ones({64, 32, 20, 20});
  tg::Generator gen(0);
  for (auto _ : state) {
    x.set_grad(tg::Tensor{});
    tg::fractional_max_pool2d(x, {20, 20}, &gen).backward(g);
  }
  benchmark::DoNotOptimize(x.grad().raw_data());
  report(state, x.numel(), 4.0 * 2 * static_cast<double>(x.numel() + g.numel()));
}

// Training mode with weight, bias and running statistics. Forward reads x twice
// (statistics, then normalization) and writes y; backward reads x and dy twice and
// writes dx: 8 tensor passes of 4 bytes.
void batch_norm_fwd_bwd(benchmark::State& state) {
  tg::bench::ThreadCountGuard threads(static_cast<int>(state.range(0)));
  const std::int64_t channels = state.range(1), size = state.range(2);
  tg::Tensor x = input({64, channels, size, size});
  tg::Tensor weight = tg::ones({channels}).requires_grad_(), bias = tg::zeros({channels}).requires_grad_();
  tg::Tensor running_mean = tg::zeros({channels}), running_var = tg::ones({channels});
  const tg::Tensor g = tg::ones(x.shape());
  for (auto _ : state) {
    x.set_grad(tg::Tensor{});
    weight.set_grad(tg::Tensor{});
    bias.set_grad(tg::Tensor{});
    tg::batch_norm(x, weight, bias, running_mean, running_var, true).backward(g);
  }
  benchmark::DoNotOptimize(x.grad().raw_data());
  report(state, x.numel(), 4.0 * 8 * static_cast<double>(x.numel()));
}

}  // namespace

// Real time: with two threads the main thread's CPU time undercounts.
BENCHMARK(max_pool2d_fwd_bwd)
    ->Name("max_pool2d_fwd_bwd/64x32x28x28/k2")
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime();
BENCHMARK(avg_pool2d_fwd_bwd)
    ->Name("avg_pool2d_fwd_bwd/64x32x28x28/k2")
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime();
BENCHMARK(fractional_max_pool2d_fwd_bwd)
    ->Name("fractional_max_pool2d_fwd_bwd/64x32x28x28/to20x20")
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime();
BENCHMARK(batch_norm_fwd_bwd)
    ->Name("batch_norm_fwd_bwd/training")
    ->ArgNames({"threads", "C", "HW"})
    ->Args({1, 32, 28})
    ->Args({2, 32, 28})
    ->Args({1, 64, 14})
    ->Args({2, 64, 14})
    ->UseRealTime();
